import { Client, type ClientConfig } from 'pg';
import type { ColumnSchema } from '@flowforge/engine';
import { destinationType, qualifiedTable, quoteIdent, transferSelect } from './dialects';
import { assertMergeKey, checkConnectionConfig, destinationError, type ExportDestination, type ExportLoadOptions } from './destination';
import type { DestinationTable } from './export-config';
import { readRowBatches, throwIfAborted } from './rows';

/** A Redshift connection as the catalog holds it (resolved by the service). */
export interface RedshiftConnectionConfig {
  host: string;
  /** Default 5439 (Redshift's). */
  port?: number;
  database: string;
  user: string;
  password?: string;
  /** TLS to the cluster (default true; false only for a local stand-in such as PostgreSQL in tests). */
  ssl?: boolean;
}

/** Redshift's limit of bind parameters per statement is 32,767: a batch never binds more. */
const MAX_PARAMS = 32_767;

/**
 * The statements of one Redshift load, as text (unit-tested; run by RedshiftDestination). Identifiers are
 * quoted, values are always `$n` parameters. Replace is `DELETE FROM` (Redshift's TRUNCATE commits the
 * transaction it runs in, so it cannot be undone); merge is DELETE USING + INSERT from a temp stage table
 * (works on every Redshift version and on PostgreSQL; Redshift's own MERGE has the same effect).
 */
export const redshiftSql = {
  createTable(t: DestinationTable, schema: readonly ColumnSchema[]): string {
    const cols = schema.map((c) => `${quoteIdent('redshift', c.name)} ${destinationType('redshift', c.type)}`);
    return `CREATE TABLE IF NOT EXISTS ${qualifiedTable('redshift', t)} (${cols.join(', ')})`;
  },
  tableColumns(): string {
    return `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`;
  },
  deleteAll(t: DestinationTable): string {
    return `DELETE FROM ${qualifiedTable('redshift', t)}`;
  },
  /** `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)` for `rows` rows. */
  insert(target: string, columns: readonly string[], rows: number): string {
    const n = columns.length;
    const values = Array.from({ length: rows }, (_, r) => `(${columns.map((_c, i) => `$${r * n + i + 1}`).join(', ')})`);
    return `INSERT INTO ${target} (${columns.map((c) => quoteIdent('redshift', c)).join(', ')}) VALUES ${values.join(', ')}`;
  },
  createStage(stage: string, t: DestinationTable): string {
    return `CREATE TEMP TABLE ${quoteIdent('redshift', stage)} (LIKE ${qualifiedTable('redshift', t)})`;
  },
  mergeDelete(t: DestinationTable, stage: string, key: readonly string[]): string {
    const on = key.map((k) => `${qualifiedTable('redshift', t)}.${quoteIdent('redshift', k)} = ${quoteIdent('redshift', stage)}.${quoteIdent('redshift', k)}`);
    return `DELETE FROM ${qualifiedTable('redshift', t)} USING ${quoteIdent('redshift', stage)} WHERE ${on.join(' AND ')}`;
  },
  mergeInsert(t: DestinationTable, stage: string, columns: readonly string[]): string {
    const cols = columns.map((c) => quoteIdent('redshift', c)).join(', ');
    return `INSERT INTO ${qualifiedTable('redshift', t)} (${cols}) SELECT ${cols} FROM ${quoteIdent('redshift', stage)}`;
  },
};

/**
 * Amazon Redshift through `pg` (Redshift speaks the PostgreSQL protocol). The table is created when
 * missing (REDSHIFT_TYPES); an existing table must have every exported column. Rows go in one
 * transaction as multi-row `INSERT ... VALUES` batches with bound parameters (Redshift's fast path is
 * COPY from S3, which needs a bucket and an IAM role the catalog does not model; COPY FROM STDIN is
 * PostgreSQL's, not Redshift's). Tested against PostgreSQL: that verifies the PostgreSQL-compatible SQL
 * generated here, not Redshift's own behaviour (see the module README).
 */
export class RedshiftDestination implements ExportDestination<RedshiftConnectionConfig> {
  readonly kind = 'redshift' as const;

  /** `batchRows`: rows per INSERT statement (default 1,000, fewer when the columns would exceed 32,767 parameters). */
  constructor(private readonly opts: { batchRows?: number } = {}) {}

  validateConfig(config: unknown): RedshiftConnectionConfig {
    return checkConnectionConfig<RedshiftConnectionConfig>('redshift', config, {
      host: { type: 'string', required: true, maxLength: 255, pattern: /^[A-Za-z0-9.-]+$/ },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      database: { type: 'string', required: true, maxLength: 127 },
      user: { type: 'string', required: true, maxLength: 128 },
      password: { type: 'string', maxLength: 1024 },
      ssl: { type: 'boolean' },
    });
  }

  async load(o: ExportLoadOptions<RedshiftConnectionConfig>): Promise<{ rows: number }> {
    const cfg = this.validateConfig(o.connection);
    const key = o.writeMode === 'merge' ? await assertMergeKey(o.session, o.selectSql, o.schema, o.key) : undefined;
    const columns = o.schema.map((c) => c.name);
    const batch = Math.max(1, Math.min(this.opts.batchRows ?? 1000, Math.floor(MAX_PARAMS / Math.max(1, columns.length))));
    const secrets = [cfg.password];
    const client = new Client(clientConfig(cfg));
    let step = 'connect';
    let connected = false;
    try {
      throwIfAborted(o.signal);
      await client.connect();
      connected = true;
      step = 'begin';
      await client.query('BEGIN');
      step = 'create table';
      await client.query(redshiftSql.createTable(o.table, o.schema));
      const existing = new Set(
        (await client.query<{ column_name: string }>(redshiftSql.tableColumns(), [o.table.schema, o.table.table])).rows.map((r) => r.column_name),
      );
      const missing = columns.filter((c) => !existing.has(c));
      if (missing.length > 0) throw new Error(`table ${o.table.schema}.${o.table.table} has no column ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
      const stage = key ? `ff_export_stage_${Date.now().toString(36)}` : undefined;
      if (o.writeMode === 'replace') {
        step = 'delete the previous rows';
        await client.query(redshiftSql.deleteAll(o.table));
      }
      if (stage) {
        step = 'create the stage table';
        await client.query(redshiftSql.createStage(stage, o.table));
      }
      step = 'insert';
      const target = stage ? quoteIdent('redshift', stage) : qualifiedTable('redshift', o.table);
      let rows = 0;
      for await (const b of readRowBatches(o.session, transferSelect(o.selectSql, o.schema, 'redshift'), batch, o.signal)) {
        const values = b.rows.flatMap((r) => columns.map((c) => bindValue(r[c])));
        await client.query(redshiftSql.insert(target, columns, b.rows.length), values);
        rows += b.rows.length;
        o.onProgress?.({ rows });
      }
      if (stage && key) {
        step = 'merge';
        await client.query(redshiftSql.mergeDelete(o.table, stage, key));
        await client.query(redshiftSql.mergeInsert(o.table, stage, columns));
        await client.query(`DROP TABLE ${quoteIdent('redshift', stage)}`);
      }
      throwIfAborted(o.signal);
      step = 'commit';
      await client.query('COMMIT');
      return { rows };
    } catch (err) {
      if (connected) await client.query('ROLLBACK').catch(() => undefined);
      throw destinationError('redshift', step, err, secrets);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function clientConfig(cfg: RedshiftConnectionConfig): ClientConfig {
  return {
    host: cfg.host,
    port: cfg.port ?? 5439,
    database: cfg.database,
    user: cfg.user,
    password: cfg.password,
    ssl: cfg.ssl === false ? false : { rejectUnauthorized: true },
    application_name: 'flowforge-export',
    connectionTimeoutMillis: 30_000,
  };
}

/** DuckDB's JSON forms (transferSelect) bind as they are; objects (never produced after transferSelect) as JSON text. */
function bindValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}
