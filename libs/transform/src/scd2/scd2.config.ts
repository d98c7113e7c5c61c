import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { TransformError, type TransformProblem } from '../transform.errors';

/** A lake table name `<layer>.<namespace>.<table>` (libs/engine LAKE_NAME for the two names). */
const TABLE_NAME = '^(bronze|silver|gold)\\.[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}$';
const LAKE_NAME = '^[a-z][a-z0-9_]{0,62}$';
/** A source column name: anything but NUL, bounded (quoted in SQL). */
const COLUMN = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\u0000]+$' } as const;
/** A metadata column the dimension gains: an unquoted-friendly identifier. */
const META_COLUMN = { type: 'string', minLength: 1, maxLength: 63, pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' } as const;
/** An ISO 8601 instant: date, time, optional fraction and offset (`9999-12-31T00:00:00Z`). */
export const ISO_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?(Z|[+-]\\d{2}:?\\d{2})?$';

/**
 * The config of the `gold.scd2` job (JSON Schema 2020-12): a Gold dimension kept as a Slowly Changing
 * Dimension of Type 2 from the full current snapshot of a source table (libs/transform/README.md, "gold.scd2").
 */
export const GOLD_SCD2_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'SCD Type 2 dimension (gold.scd2)',
  description: 'Keeps a Gold dimension with the full history of a source table: one row per version of each natural key',
  type: 'object',
  additionalProperties: false,
  required: ['source', 'target', 'key', 'strategy'],
  properties: {
    source: {
      type: 'string',
      title: 'Source table',
      minLength: 5,
      maxLength: 200,
      pattern: TABLE_NAME,
      description: 'The lake table holding the full current snapshot of the source, <layer>.<namespace>.<table>, e.g. silver.crm.customers',
    },
    target: {
      type: 'object',
      title: 'Dimension',
      additionalProperties: false,
      required: ['namespace', 'table'],
      description: 'The Gold table the dimension is kept in (created by the first run)',
      properties: {
        layer: { const: 'gold', default: 'gold', title: 'Layer', description: 'Always gold: a dimension is a Gold table' },
        namespace: {
          type: 'string',
          title: 'Namespace',
          maxLength: 63,
          pattern: LAKE_NAME,
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
        table: {
          type: 'string',
          title: 'Table',
          maxLength: 63,
          pattern: LAKE_NAME,
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
      },
    },
    key: {
      type: 'array',
      title: 'Natural key',
      minItems: 1,
      maxItems: 8,
      uniqueItems: true,
      items: { ...COLUMN, title: 'Key column', description: 'A source column of the natural key' },
      description: 'The source columns identifying one entity (1-8); a NULL or duplicated key in a batch fails the run',
    },
    strategy: {
      title: 'Change detection',
      description: "check: compare columns (dbt's check strategy); timestamp: a newer updatedAt is a change (dbt's timestamp strategy)",
      oneOf: [
        {
          type: 'object',
          title: 'check',
          additionalProperties: false,
          required: ['type', 'columns'],
          properties: {
            type: { const: 'check', title: 'Type', description: 'A version opens when one of the tracked columns changes (NULL to value and back included)' },
            columns: {
              title: 'Tracked columns',
              description: "The non-key columns whose change opens a version, or 'all' (every non-key column the dimension and the source share)",
              oneOf: [
                { const: 'all', title: 'All columns', description: 'Every non-key column' },
                {
                  type: 'array',
                  title: 'Listed columns',
                  minItems: 1,
                  maxItems: 256,
                  uniqueItems: true,
                  items: { ...COLUMN, title: 'Column', description: 'A non-key source column' },
                  description: '1-256 non-key source columns',
                },
              ],
            },
          },
        },
        {
          type: 'object',
          title: 'timestamp',
          additionalProperties: false,
          required: ['type', 'updatedAt'],
          properties: {
            type: { const: 'timestamp', title: 'Type', description: 'A version opens when updatedAt is later than the stored one' },
            updatedAt: { ...COLUMN, title: 'Updated-at column', description: 'A DATE or TIMESTAMP source column: when the source row last changed' },
            validFrom: {
              enum: ['updatedAt', 'now'],
              title: 'Validity starts at',
              description: "updatedAt (the default): a version is valid from its updatedAt value (dbt's semantics); now: from the run's time",
            },
          },
        },
      ],
    },
    hardDeletes: {
      enum: ['ignore', 'invalidate', 'new_record'],
      default: 'ignore',
      title: 'Keys gone from the source',
      description: 'ignore: the current version stays current; invalidate: it is closed; new_record: it is closed and a current "deleted" version opens',
    },
    columns: {
      type: 'object',
      title: 'Metadata column names',
      additionalProperties: false,
      description: 'Names of the columns the dimension adds to the source columns',
      properties: {
        validFrom: { ...META_COLUMN, default: 'valid_from', title: 'Valid from', description: 'When the version became valid (TIMESTAMP, UTC)' },
        validTo: {
          ...META_COLUMN,
          default: 'valid_to',
          title: 'Valid to',
          description: 'When it stopped being valid (TIMESTAMP, UTC); farFuture while current',
        },
        isCurrent: { ...META_COLUMN, default: 'is_current', title: 'Is current', description: 'Whether the version is the current one of its key (BOOLEAN)' },
        version: { ...META_COLUMN, default: 'version', title: 'Version', description: 'The version number of the key, from 1 (INTEGER)' },
        isDeleted: {
          ...META_COLUMN,
          default: 'is_deleted',
          title: 'Is deleted',
          description: 'hardDeletes new_record only: the version records a deletion (BOOLEAN)',
        },
      },
    },
    farFuture: {
      title: 'Open-ended valid_to',
      description: "The valid_to of current versions: null (dbt's default) or a timestamp such as 9999-12-31T00:00:00Z",
      default: null,
      oneOf: [
        { type: 'null', title: 'NULL' },
        { type: 'string', title: 'Timestamp', minLength: 10, maxLength: 40, pattern: ISO_TIMESTAMP, description: 'ISO 8601, UTC unless an offset is given' },
      ],
    },
  },
} as const;

/** The metadata column names of a dimension (`isDeleted` only when hardDeletes is new_record). */
export interface Scd2Columns {
  validFrom: string;
  validTo: string;
  isCurrent: string;
  version: string;
  isDeleted?: string;
}

/** The config of `gold.scd2` (GOLD_SCD2_CONFIG_SCHEMA); optional fields take the schema's defaults. */
export interface GoldScd2Config {
  /** `<layer>.<namespace>.<table>`: the full current snapshot of the source. */
  source: string;
  target: { layer?: 'gold'; namespace: string; table: string };
  /** The natural key: 1-8 source columns. */
  key: string[];
  strategy: { type: 'check'; columns: string[] | 'all' } | { type: 'timestamp'; updatedAt: string; validFrom?: 'updatedAt' | 'now' };
  hardDeletes?: 'ignore' | 'invalidate' | 'new_record';
  columns?: Partial<Scd2Columns>;
  /** valid_to of current versions: null or an ISO timestamp. */
  farFuture?: string | null;
}

/** A config with every default filled in and checked (what the compiler works from). */
export interface ResolvedScd2Config {
  source: string;
  target: { namespace: string; table: string };
  key: string[];
  strategy: { type: 'check'; columns: string[] | 'all' } | { type: 'timestamp'; updatedAt: string; validFrom: 'updatedAt' | 'now' };
  hardDeletes: 'ignore' | 'invalidate' | 'new_record';
  columns: Scd2Columns;
  /** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, or null. */
  farFuture: string | null;
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

/**
 * Validates `config` against GOLD_SCD2_CONFIG_SCHEMA (on a copy, defaults filled in) and the rules a
 * schema cannot say (metadata names distinct, tracked columns not in the key); throws one TransformError
 * FF_TRANSFORM_CONFIG whose problems name each bad field (`strategy.columns[1]`).
 */
export function resolveScd2Config(config: unknown): ResolvedScd2Config {
  validator ??= new Ajv2020({ allErrors: true, useDefaults: true, strictSchema: true, strictTypes: false, strictTuples: false }).compile(
    GOLD_SCD2_CONFIG_SCHEMA,
  );
  const copy: unknown = structuredClone(config);
  if (!validator(copy)) throw configError(schemaProblems(validator.errors ?? [], copy));
  const c = copy as Required<GoldScd2Config>;
  const problems: TransformProblem[] = [];
  const columns: Scd2Columns = {
    validFrom: c.columns?.validFrom ?? 'valid_from',
    validTo: c.columns?.validTo ?? 'valid_to',
    isCurrent: c.columns?.isCurrent ?? 'is_current',
    version: c.columns?.version ?? 'version',
    ...(c.hardDeletes === 'new_record' ? { isDeleted: c.columns?.isDeleted ?? 'is_deleted' } : {}),
  };
  const seen = new Map<string, string>();
  for (const [field, name] of Object.entries(columns) as [string, string][]) {
    const other = seen.get(name.toLowerCase());
    if (other) problems.push({ field: `columns.${field}`, message: `"${name}" is already the name of columns.${other}` });
    seen.set(name.toLowerCase(), field);
  }
  const keys = new Set(c.key.map((k) => k.toLowerCase()));
  if (c.strategy.type === 'check' && Array.isArray(c.strategy.columns)) {
    c.strategy.columns.forEach((col, i) => {
      if (keys.has(col.toLowerCase())) problems.push({ field: `strategy.columns[${i}]`, message: `"${col}" is part of the key: a key never changes` });
    });
  }
  if (c.strategy.type === 'timestamp' && keys.has(c.strategy.updatedAt.toLowerCase())) {
    problems.push({ field: 'strategy.updatedAt', message: `"${c.strategy.updatedAt}" is part of the key` });
  }
  let farFuture: string | null = null;
  if (c.farFuture != null) {
    const at = parseInstant(c.farFuture);
    if (at === undefined) problems.push({ field: 'farFuture', message: `${JSON.stringify(c.farFuture)} is not a valid timestamp` });
    else farFuture = at;
  }
  if (problems.length > 0) throw configError(problems);
  const strategy: ResolvedScd2Config['strategy'] =
    c.strategy.type === 'check'
      ? { type: 'check', columns: c.strategy.columns }
      : { type: 'timestamp', updatedAt: c.strategy.updatedAt, validFrom: c.strategy.validFrom ?? 'updatedAt' };
  return {
    source: c.source,
    target: { namespace: c.target.namespace, table: c.target.table },
    key: c.key,
    strategy,
    hardDeletes: c.hardDeletes,
    columns,
    farFuture,
  };
}

/**
 * An ISO 8601 instant (`2024-05-01`, `2024-05-01T12:00:00.5+02:00`) → `YYYY-MM-DD HH:MM:SS.ffffff` in UTC
 * (DuckDB TIMESTAMP text), or undefined when it is not one. Without an offset the time is UTC. Microseconds
 * past the millisecond are kept; years 0001-9999.
 */
export function parseInstant(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|([+-])(\d{2}):?(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', , sign, oh = '00', om = '00'] = m;
  const fraction = frac.padEnd(9, '0');
  const local = new Date(0);
  local.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // not Date.UTC: it reads years 0-99 as 1900-1999
  local.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.slice(0, 3)));
  // Out-of-range parts roll over (Feb 30 → Mar 2): refuse them instead.
  const parts = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
  if (parts.join() !== [y, mo, d, h, mi, s].map(Number).join() || Number(oh) > 23 || Number(om) > 59) return undefined;
  const utc = new Date(local.getTime() - (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000);
  if (utc.getUTCFullYear() < 1 || utc.getUTCFullYear() > 9999) return undefined;
  const iso = utc.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${fraction.slice(3, 6)}`;
}

/** A Date (ctx.now) → DuckDB TIMESTAMP text in UTC, or undefined for an invalid Date. */
export function instantOf(date: Date): string | undefined {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined;
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

function configError(problems: TransformProblem[]): TransformError {
  return new TransformError('FF_TRANSFORM_CONFIG', `gold.scd2 config: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });
}

/** `/strategy/columns/0` → `strategy.columns[0]` (the field the console points at). */
function fieldOf(instancePath: string, child?: string): string {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) segments.push(child);
  let out = '';
  for (const raw of segments) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `${out === '' ? '' : '.'}${seg}`;
  }
  return out === '' ? '(config)' : out;
}

/**
 * ajv errors → one problem per field. A `oneOf` (strategy, strategy.columns, farFuture) reports the errors
 * of every branch: only the branch the value meant is kept (chosen by `branchOf`), so `{ type: 'timestamp' }`
 * reads "strategy.updatedAt is required", not a list of the check branch's complaints too.
 */
function schemaProblems(errors: ErrorObject[], config: unknown): TransformProblem[] {
  const out = new Map<string, string>();
  const add = (field: string, message: string): void => {
    if (!out.has(field)) out.set(field, message);
  };
  for (const e of errors) {
    if (e.keyword === 'oneOf') continue;
    const branch = /^#\/properties\/strategy\/oneOf\/(\d)(\/properties\/columns\/oneOf\/(\d))?/.exec(e.schemaPath);
    const strategy = (config as { strategy?: { type?: unknown; columns?: unknown } } | null)?.strategy;
    if (branch) {
      const wanted = strategy?.type === 'timestamp' ? '1' : strategy?.type === 'check' ? '0' : undefined;
      if (branch[1] !== wanted) continue;
      if (branch[3] !== undefined && branch[3] !== (typeof strategy?.columns === 'string' ? '0' : '1')) continue;
    }
    if (/^#\/properties\/farFuture\/oneOf\/0/.test(e.schemaPath)) continue;
    switch (e.keyword) {
      case 'required':
        add(fieldOf(e.instancePath, String((e.params as { missingProperty: string }).missingProperty)), 'is required');
        break;
      case 'additionalProperties':
        add(fieldOf(e.instancePath, String((e.params as { additionalProperty: string }).additionalProperty)), 'is not allowed');
        break;
      case 'enum':
        add(
          fieldOf(e.instancePath),
          `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
        );
        break;
      case 'const':
        add(fieldOf(e.instancePath), `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`);
        break;
      default:
        add(fieldOf(e.instancePath), e.message ?? `fails ${e.keyword}`);
    }
  }
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const field = fieldOf(e.instancePath);
    if ([...out.keys()].some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`))) continue;
    add(
      field === 'strategy' ? 'strategy.type' : field,
      field === 'strategy' ? "must be 'check' (with columns) or 'timestamp' (with updatedAt)" : 'does not match any allowed form',
    );
  }
  return [...out.entries()].map(([field, message]) => ({ field, message }));
}
