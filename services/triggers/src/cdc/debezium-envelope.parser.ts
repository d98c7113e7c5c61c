import type { CdcOperation } from './cdc.config';

type Row = Record<string, unknown>;

/** One row change as Debezium reported it (JSON converter without schemas), decoded. */
export interface CdcChange {
  /** `schema.table` (PostgreSQL) or `database.table` (MariaDB/MySQL), as the trigger's `tables` name it. */
  table: string;
  operation: CdcOperation;
  /** The message key: the row's primary key columns (null for a table without one). */
  key: Row | null;
  before: Row | null;
  after: Row | null;
  /** When the database committed the change (source.ts_ms). */
  tsMs: number | null;
  /** Where the change sits in the database's log, unique per change: `lsn:<n>` or `binlog:<file>:<pos>:<row>`. */
  position: string | null;
}

export type DecodeResult = { change: CdcChange } | { skipped: string };

const OPS: Record<string, CdcOperation> = { c: 'insert', u: 'update', d: 'delete' };

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(buf: Buffer | null | undefined): unknown {
  if (!buf || buf.length === 0) return null;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A converter with schemas wraps the value as `{schema, payload}`: accept both forms. */
function unwrap(v: unknown): unknown {
  if (isRow(v) && 'schema' in v && 'payload' in v) return v.payload;
  return v;
}

function positionOf(source: Row): string | null {
  if (source.lsn !== undefined && source.lsn !== null) return `lsn:${String(source.lsn as number | string)}`;
  if (typeof source.file === 'string' && source.pos !== undefined && source.pos !== null) {
    return `binlog:${source.file}:${String(source.pos as number | string)}:${String((source.row as number | undefined) ?? 0)}`;
  }
  return null;
}

/**
 * Decodes one Debezium change message. A tombstone (null value after a delete), a snapshot read (`r`),
 * a truncate (`t`) or a logical message (`m`) is skipped, with the reason.
 */
export function decodeDebeziumMessage(key: Buffer | null | undefined, value: Buffer | null | undefined): DecodeResult {
  const v = unwrap(parseJson(value));
  if (v === null) return { skipped: 'tombstone' };
  if (!isRow(v)) return { skipped: 'not a Debezium change event (value is not a JSON object)' };
  const op = typeof v.op === 'string' ? v.op : '';
  const operation = OPS[op];
  if (!operation) return { skipped: `operation "${op}" is not a row change` };
  const source = isRow(v.source) ? v.source : {};
  const container = typeof source.schema === 'string' ? source.schema : typeof source.db === 'string' ? source.db : '';
  const tableName = typeof source.table === 'string' ? source.table : '';
  const k = unwrap(parseJson(key));
  return {
    change: {
      table: `${container}.${tableName}`,
      operation,
      key: isRow(k) ? k : null,
      before: isRow(v.before) ? v.before : null,
      after: isRow(v.after) ? v.after : null,
      tsMs: typeof source.ts_ms === 'number' ? source.ts_ms : null,
      position: positionOf(source),
    },
  };
}

/** The row the change leaves (insert, update) or removed (delete). */
export function rowOf(change: Pick<CdcChange, 'operation' | 'before' | 'after'>): Row | null {
  return change.operation === 'delete' ? change.before : change.after;
}

/** The changed row's key: the `keyColumns` of its row when given, else the message key; one column → its value. */
export function keyOf(change: CdcChange, keyColumns: string[] | undefined): unknown {
  let key: Row | null = change.key;
  if (keyColumns) {
    const row = rowOf(change) ?? change.before ?? change.after;
    if (!row) return null;
    key = Object.fromEntries(keyColumns.map((c) => [c, row[c] ?? null]));
  }
  if (!key) return null;
  const cols = Object.keys(key);
  return cols.length === 1 ? key[cols[0]!] : key;
}
