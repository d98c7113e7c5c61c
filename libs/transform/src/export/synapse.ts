import sql from 'mssql';
import type { ColumnSchema, JsonRow } from '@flowforge/engine';
import { destinationType, qualifiedTable, quoteIdent, transferSelect, valueKind } from './dialects';
import { assertMergeKey, checkConnectionConfig, destinationError, type ExportDestination, type ExportLoadOptions } from './destination';
import type { DestinationTable } from './export-config';
import { readRowBatches, throwIfAborted } from './rows';

/** An Azure Synapse (dedicated SQL pool) connection as the catalog holds it (resolved by the service). */
export interface SynapseConnectionConfig {
  /** e.g. myworkspace.sql.azuresynapse.net */
  server: string;
  /** Default 1433. */
  port?: number;
  database: string;
  user: string;
  password: string;
  /** TLS (default true; Azure requires it). */
  encrypt?: boolean;
}

/**
 * The `mssql` calls a Synapse load makes, on one connection: the boundary a test double stands in for
 * (no SQL Server or Synapse runs here; Synapse is a paid Azure service). `connectSynapse` is the real one.
 */
export interface SynapseClient {
  /** Runs one T-SQL batch. */
  query(text: string): Promise<void>;
  /** mssql's bulk API (TDS bulk load) of `table`'s rows into the table it names. */
  bulk(table: sql.Table): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** The real client: an mssql pool of exactly one connection (temp tables and the transaction live on it). */
export async function connectSynapse(cfg: SynapseConnectionConfig): Promise<SynapseClient> {
  const pool = new sql.ConnectionPool({
    server: cfg.server,
    port: cfg.port ?? 1433,
    database: cfg.database,
    user: cfg.user,
    password: cfg.password,
    pool: { min: 0, max: 1 },
    options: { encrypt: cfg.encrypt ?? true, trustServerCertificate: false, appName: 'flowforge-export', useUTC: true },
    requestTimeout: 0,
  });
  await pool.connect();
  let tx: sql.Transaction | undefined;
  const request = () => (tx ? new sql.Request(tx) : pool.request());
  return {
    async query(text) {
      await request().batch(text);
    },
    async bulk(table) {
      await request().bulk(table);
    },
    async begin() {
      tx = new sql.Transaction(pool);
      await tx.begin();
    },
    async commit() {
      await tx?.commit();
      tx = undefined;
    },
    async rollback() {
      await tx?.rollback();
      tx = undefined;
    },
    async close() {
      await pool.close();
    },
  };
}

/**
 * The T-SQL of one Synapse load (unit-tested as text). Identifiers are [quoted]; values never appear in
 * the text (they travel in the bulk load). Synapse refuses DDL inside a user transaction, so the table
 * and the #stage table are created before BEGIN; replace is `DELETE` (undone by a rollback), merge a
 * T-SQL `MERGE` from the #stage table.
 */
export const synapseSql = {
  createTable(t: DestinationTable, schema: readonly ColumnSchema[]): string {
    const cols = schema.map((c) => `${quoteIdent('synapse', c.name)} ${destinationType('synapse', c.type)} NULL`);
    const name = qualifiedTable('synapse', t);
    return `IF OBJECT_ID(N'${name.replace(/'/g, "''")}', N'U') IS NULL CREATE TABLE ${name} (${cols.join(', ')});`;
  },
  createStage(stage: string, schema: readonly ColumnSchema[]): string {
    const cols = schema.map((c) => `${quoteIdent('synapse', c.name)} ${destinationType('synapse', c.type)} NULL`);
    return `CREATE TABLE ${quoteIdent('synapse', stage)} (${cols.join(', ')});`;
  },
  deleteAll(t: DestinationTable): string {
    return `DELETE FROM ${qualifiedTable('synapse', t)};`;
  },
  merge(t: DestinationTable, stage: string, columns: readonly string[], key: readonly string[]): string {
    const q = (c: string) => quoteIdent('synapse', c);
    const on = key.map((k) => `T.${q(k)} = S.${q(k)}`).join(' AND ');
    const rest = columns.filter((c) => !key.includes(c));
    const update = rest.length > 0 ? ` WHEN MATCHED THEN UPDATE SET ${rest.map((c) => `T.${q(c)} = S.${q(c)}`).join(', ')}` : '';
    return (
      `MERGE INTO ${qualifiedTable('synapse', t)} AS T USING ${q(stage)} AS S ON ${on}${update}` +
      ` WHEN NOT MATCHED BY TARGET THEN INSERT (${columns.map(q).join(', ')}) VALUES (${columns.map((c) => `S.${q(c)}`).join(', ')});`
    );
  },
  dropStage(stage: string): string {
    return `IF OBJECT_ID(N'tempdb..${stage.replace(/'/g, "''")}') IS NOT NULL DROP TABLE ${quoteIdent('synapse', stage)};`;
  },
};

/** The mssql type of a DuckDB column (SYNAPSE_TYPES), for the bulk load's column metadata. */
export function synapseBulkType(duckType: string): sql.ISqlType | (() => sql.ISqlType) {
  const t = destinationType('synapse', duckType);
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (dec) return sql.Decimal(Number(dec[1]), Number(dec[2]));
  switch (t) {
    case 'BIT':
      return sql.Bit;
    case 'TINYINT':
      return sql.TinyInt;
    case 'SMALLINT':
      return sql.SmallInt;
    case 'INT':
      return sql.Int;
    case 'BIGINT':
      return sql.BigInt;
    case 'REAL':
      return sql.Real;
    case 'FLOAT':
      return sql.Float;
    case 'DATE':
      return sql.Date;
    case 'TIME(6)':
      return sql.Time(6);
    case 'DATETIME2(6)':
      return sql.DateTime2(6);
    case 'DATETIMEOFFSET(6)':
      return sql.DateTimeOffset(6);
    case 'VARBINARY(MAX)':
      return sql.VarBinary(sql.MAX);
    case 'UNIQUEIDENTIFIER':
      return sql.UniqueIdentifier;
    default:
      return sql.NVarChar(sql.MAX);
  }
}

/**
 * One value for the bulk load, from DuckDB's JSON form (transferSelect): dates and timestamps as JS
 * Dates in UTC (milliseconds: tedious binds Dates), BLOB hex → Buffer, decimals and big integers as
 * text (tedious parses BIGINT text exactly; DECIMAL through a double: beyond 15 significant digits the
 * last ones can change — a known limit of the driver's bulk path).
 */
export function synapseBulkValue(duckType: string, v: JsonRow[string]): string | number | boolean | Date | Buffer | null {
  if (v === null || v === undefined) return null;
  const k = valueKind(duckType).kind;
  const s = String(v);
  switch (k) {
    case 'date':
      return new Date(`${s}T00:00:00Z`);
    case 'timestamp':
      return new Date(`${s.replace(' ', 'T')}Z`);
    case 'timestamptz':
      return new Date(s);
    case 'time':
      return new Date(`1970-01-01T${s}Z`);
    case 'blob':
      return Buffer.from(s, 'hex');
    case 'boolean':
      return Boolean(v);
    case 'float':
      return typeof v === 'number' ? v : Number(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
}

/**
 * Azure Synapse through `mssql`: CREATE TABLE when missing (SYNAPSE_TYPES), rows in batches through
 * mssql's Table bulk API inside one transaction (replace: DELETE first; merge: bulk into a #stage table,
 * then MERGE). A failure rolls back: the table keeps its previous rows.
 */
export class SynapseDestination implements ExportDestination<SynapseConnectionConfig> {
  readonly kind = 'synapse' as const;

  /** `connect`: the client factory (a test double in tests); `batchRows`: rows per bulk call (default 10,000). */
  constructor(private readonly opts: { connect?: (cfg: SynapseConnectionConfig) => Promise<SynapseClient>; batchRows?: number } = {}) {}

  validateConfig(config: unknown): SynapseConnectionConfig {
    return checkConnectionConfig<SynapseConnectionConfig>('synapse', config, {
      server: { type: 'string', required: true, maxLength: 255, pattern: /^[A-Za-z0-9.-]+$/ },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      database: { type: 'string', required: true, maxLength: 128 },
      user: { type: 'string', required: true, maxLength: 128 },
      password: { type: 'string', required: true, maxLength: 1024 },
      encrypt: { type: 'boolean' },
    });
  }

  async load(o: ExportLoadOptions<SynapseConnectionConfig>): Promise<{ rows: number }> {
    const cfg = this.validateConfig(o.connection);
    const key = o.writeMode === 'merge' ? await assertMergeKey(o.session, o.selectSql, o.schema, o.key) : undefined;
    const columns = o.schema.map((c) => c.name);
    const stage = key ? `#ff_export_stage_${Date.now().toString(36)}` : undefined;
    let step = 'connect';
    let client: SynapseClient | undefined;
    let inTx = false;
    try {
      throwIfAborted(o.signal);
      client = await (this.opts.connect ?? connectSynapse)(cfg);
      step = 'create table';
      await client.query(synapseSql.createTable(o.table, o.schema));
      if (stage) await client.query(synapseSql.createStage(stage, o.schema));
      step = 'begin';
      await client.begin();
      inTx = true;
      if (o.writeMode === 'replace') {
        step = 'delete the previous rows';
        await client.query(synapseSql.deleteAll(o.table));
      }
      step = 'bulk load';
      let rows = 0;
      for await (const b of readRowBatches(o.session, transferSelect(o.selectSql, o.schema, 'synapse'), this.opts.batchRows ?? 10_000, o.signal)) {
        const table = new sql.Table(stage ?? `${quoteIdent('synapse', o.table.schema)}.${quoteIdent('synapse', o.table.table)}`);
        table.create = false;
        for (const c of o.schema) table.columns.add(c.name, synapseBulkType(c.type), { nullable: true });
        for (const r of b.rows) table.rows.add(...o.schema.map((c) => synapseBulkValue(c.type, r[c.name])));
        await client.bulk(table);
        rows += b.rows.length;
        o.onProgress?.({ rows });
      }
      if (stage && key) {
        step = 'merge';
        await client.query(synapseSql.merge(o.table, stage, columns, key));
      }
      throwIfAborted(o.signal);
      step = 'commit';
      await client.commit();
      inTx = false;
      return { rows };
    } catch (err) {
      if (inTx) await client?.rollback().catch(() => undefined);
      throw destinationError('synapse', step, err, [cfg.password]);
    } finally {
      if (stage) await client?.query(synapseSql.dropStage(stage)).catch(() => undefined);
      await client?.close().catch(() => undefined);
    }
  }
}
