import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sqlString, type ColumnSchema } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { destinationType, qualifiedTable, quoteIdent, transferSelect } from './dialects';
import { assertMergeKey, checkConnectionConfig, destinationError, type ExportDestination, type ExportLoadOptions } from './destination';
import type { DestinationTable } from './export-config';
import { throwIfAborted } from './rows';

/** A Snowflake connection as the catalog holds it (resolved by the service): a password or a key pair. */
export interface SnowflakeConnectionConfig {
  /** The account identifier, e.g. myorg-myaccount. */
  account: string;
  username: string;
  password?: string;
  /** PEM private key (key-pair authentication, SNOWFLAKE_JWT) instead of a password. */
  privateKey?: string;
  warehouse: string;
  database: string;
  role?: string;
}

/** The snowflake-sdk calls a load makes: the boundary a test double stands in for (Snowflake is a paid SaaS, unreachable here). */
export interface SnowflakeClient {
  /** Runs one statement (binds, when given, as `?` parameters) and returns its rows. */
  execute(sqlText: string, binds?: (string | number | boolean | null)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The real client over snowflake-sdk (one connection; PUT reads the local file itself). */
export async function connectSnowflake(cfg: SnowflakeConnectionConfig): Promise<SnowflakeClient> {
  // Loaded on first use: snowflake-sdk pulls in the AWS SDK, whose region lookup probes the instance
  // metadata endpoint; a process that never exports to Snowflake must not load it.
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'ERROR' });
  const connection = snowflake.createConnection({
    account: cfg.account,
    username: cfg.username,
    ...(cfg.privateKey ? { authenticator: 'SNOWFLAKE_JWT', privateKey: cfg.privateKey } : { password: cfg.password }),
    warehouse: cfg.warehouse,
    database: cfg.database,
    ...(cfg.role ? { role: cfg.role } : {}),
    application: 'FlowForge',
  });
  await connection.connectAsync();
  return {
    execute: (sqlText, binds) =>
      new Promise((resolve, reject) => {
        connection.execute({
          sqlText,
          ...(binds ? { binds } : {}),
          complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as Record<string, unknown>[])),
        });
      }),
    close: () => new Promise((resolve) => connection.destroy(() => resolve())),
  };
}

/**
 * The statements of one Snowflake load (unit-tested as text). DDL commits implicitly in Snowflake, so the
 * table, the temporary stage and the temporary merge table are created before BEGIN; inside the
 * transaction only DML: DELETE (replace), COPY INTO, MERGE. Values never appear: they are in the file.
 */
export const snowflakeSql = {
  createTable(t: DestinationTable, schema: readonly ColumnSchema[]): string {
    const cols = schema.map((c) => `${quoteIdent('snowflake', c.name)} ${destinationType('snowflake', c.type)}`);
    return `CREATE TABLE IF NOT EXISTS ${qualifiedTable('snowflake', t)} (${cols.join(', ')})`;
  },
  createStage(schemaName: string, stage: string): string {
    return `CREATE TEMPORARY STAGE ${quoteIdent('snowflake', schemaName)}.${quoteIdent('snowflake', stage)} FILE_FORMAT = (TYPE = PARQUET)`;
  },
  /** PUT takes the stage in single quotes when its name is quoted; the local path is a file URL. */
  put(localFile: string, schemaName: string, stage: string): string {
    const url = `file://${localFile.split(path.sep).join('/')}`;
    return `PUT ${sqlString(url)} ${sqlString(`@${quoteIdent('snowflake', schemaName)}.${quoteIdent('snowflake', stage)}`)} AUTO_COMPRESS = FALSE OVERWRITE = TRUE`;
  },
  createMergeTable(t: DestinationTable, temp: string): string {
    return `CREATE TEMPORARY TABLE ${quoteIdent('snowflake', t.schema)}.${quoteIdent('snowflake', temp)} LIKE ${qualifiedTable('snowflake', t)}`;
  },
  deleteAll(t: DestinationTable): string {
    return `DELETE FROM ${qualifiedTable('snowflake', t)}`;
  },
  copyInto(target: string, schemaName: string, stage: string): string {
    return (
      `COPY INTO ${target} FROM @${quoteIdent('snowflake', schemaName)}.${quoteIdent('snowflake', stage)}` +
      ` FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE ON_ERROR = ABORT_STATEMENT PURGE = TRUE`
    );
  },
  merge(t: DestinationTable, temp: string, columns: readonly string[], key: readonly string[]): string {
    const q = (c: string) => quoteIdent('snowflake', c);
    const on = key.map((k) => `T.${q(k)} = S.${q(k)}`).join(' AND ');
    const rest = columns.filter((c) => !key.includes(c));
    const update = rest.length > 0 ? ` WHEN MATCHED THEN UPDATE SET ${rest.map((c) => `T.${q(c)} = S.${q(c)}`).join(', ')}` : '';
    return (
      `MERGE INTO ${qualifiedTable('snowflake', t)} AS T USING ${q(t.schema)}.${q(temp)} AS S ON ${on}${update}` +
      ` WHEN NOT MATCHED THEN INSERT (${columns.map(q).join(', ')}) VALUES (${columns.map((c) => `S.${q(c)}`).join(', ')})`
    );
  },
};

/**
 * Snowflake through snowflake-sdk: the rows are written by DuckDB to one Parquet file (snappy), PUT to a
 * temporary stage, and loaded with COPY INTO ... MATCH_BY_COLUMN_NAME in one transaction (replace: DELETE
 * first; merge: COPY INTO a temporary table LIKE the target, then MERGE). A failure rolls back.
 */
export class SnowflakeDestination implements ExportDestination<SnowflakeConnectionConfig> {
  readonly kind = 'snowflake' as const;

  /** `connect`: the client factory (a test double in tests). */
  constructor(private readonly opts: { connect?: (cfg: SnowflakeConnectionConfig) => Promise<SnowflakeClient> } = {}) {}

  validateConfig(config: unknown): SnowflakeConnectionConfig {
    const cfg = checkConnectionConfig<SnowflakeConnectionConfig>('snowflake', config, {
      account: { type: 'string', required: true, maxLength: 255, pattern: /^[A-Za-z0-9._-]+$/ },
      username: { type: 'string', required: true, maxLength: 255 },
      password: { type: 'string', maxLength: 1024 },
      privateKey: { type: 'string', maxLength: 16_384 },
      warehouse: { type: 'string', required: true, maxLength: 255 },
      database: { type: 'string', required: true, maxLength: 255 },
      role: { type: 'string', maxLength: 255 },
    });
    if (!cfg.password === !cfg.privateKey) {
      throw new TransformError('FF_EXPORT_CONFIG', 'snowflake connection: set exactly one of password, privateKey', {
        problems: [{ field: 'connection.password', message: 'set exactly one of password, privateKey' }],
      });
    }
    return cfg;
  }

  async load(o: ExportLoadOptions<SnowflakeConnectionConfig>): Promise<{ rows: number }> {
    const cfg = this.validateConfig(o.connection);
    const key = o.writeMode === 'merge' ? await assertMergeKey(o.session, o.selectSql, o.schema, o.key) : undefined;
    const columns = o.schema.map((c) => c.name);
    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    const stage = `ff_export_stage_${id}`;
    const temp = key ? `ff_export_merge_${id}` : undefined;
    const dir = await mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'ff-export-snowflake-'));
    let step = 'write the Parquet file';
    let client: SnowflakeClient | undefined;
    let inTx = false;
    try {
      const file = path.join(dir, 'rows.parquet');
      const copied = await o.session.all(
        `COPY (${transferSelect(o.selectSql, o.schema, 'snowflake')}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`,
      );
      const rows = Number(copied.rows[0]?.Count ?? 0);
      throwIfAborted(o.signal);
      step = 'connect';
      client = await (this.opts.connect ?? connectSnowflake)(cfg);
      step = 'create table';
      await client.execute(snowflakeSql.createTable(o.table, o.schema));
      step = 'stage the file';
      await client.execute(snowflakeSql.createStage(o.table.schema, stage));
      await client.execute(snowflakeSql.put(file, o.table.schema, stage));
      if (temp) await client.execute(snowflakeSql.createMergeTable(o.table, temp));
      throwIfAborted(o.signal);
      step = 'begin';
      await client.execute('BEGIN');
      inTx = true;
      if (o.writeMode === 'replace') {
        step = 'delete the previous rows';
        await client.execute(snowflakeSql.deleteAll(o.table));
      }
      step = 'copy into';
      await client.execute(
        snowflakeSql.copyInto(
          temp ? `${quoteIdent('snowflake', o.table.schema)}.${quoteIdent('snowflake', temp)}` : qualifiedTable('snowflake', o.table),
          o.table.schema,
          stage,
        ),
      );
      if (temp && key) {
        step = 'merge';
        await client.execute(snowflakeSql.merge(o.table, temp, columns, key));
      }
      throwIfAborted(o.signal);
      step = 'commit';
      await client.execute('COMMIT');
      inTx = false;
      o.onProgress?.({ rows });
      return { rows };
    } catch (err) {
      if (inTx) await client?.execute('ROLLBACK').catch(() => undefined);
      throw destinationError('snowflake', step, err, [cfg.password, cfg.privateKey]);
    } finally {
      await client?.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }
}
