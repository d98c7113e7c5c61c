import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BigQuery } from '@google-cloud/bigquery';
import { sqlString, type ColumnSchema } from '@flowforge/engine';
import { destinationType, qualifiedTable, quoteIdent, transferSelect } from './dialects';
import { assertMergeKey, checkConnectionConfig, destinationError, type ExportDestination, type ExportLoadOptions } from './destination';
import type { DestinationTable } from './export-config';
import { throwIfAborted } from './rows';

/** A BigQuery connection as the catalog holds it (resolved by the service): a service account. */
export interface BigQueryConnectionConfig {
  projectId: string;
  /** The service account's client_email. */
  clientEmail: string;
  /** The service account's private_key (PEM). */
  privateKey: string;
  /** Where jobs run (e.g. EU, US, europe-west1); default: the dataset's location. */
  location?: string;
}

/** A load job's field list (the table schema). */
export type BigQueryField = { name: string; type: string; mode: 'NULLABLE' };

/** The @google-cloud/bigquery calls a load makes: the boundary a test double stands in for (BigQuery is a paid SaaS, unreachable here). */
export interface BigQueryClient {
  /** A load job of a local newline-delimited JSON file into `dataset.table`, awaited to its end. */
  load(dataset: string, table: string, file: string, opts: { fields: BigQueryField[]; writeDisposition: 'WRITE_TRUNCATE' | 'WRITE_APPEND' }): Promise<void>;
  /** A query job (DDL, MERGE), awaited to its end. */
  query(sqlText: string): Promise<void>;
  deleteTable(dataset: string, table: string): Promise<void>;
}

/** The real client over @google-cloud/bigquery. */
export function connectBigQuery(cfg: BigQueryConnectionConfig): BigQueryClient {
  // Loaded on first use: the SDK (and its auth library) stays out of every process that never exports to BigQuery.
  let client: Promise<BigQuery> | undefined;
  const bigquery = (): Promise<BigQuery> =>
    (client ??= import('@google-cloud/bigquery').then(
      ({ BigQuery }) =>
        new BigQuery({
          projectId: cfg.projectId,
          credentials: { client_email: cfg.clientEmail, private_key: cfg.privateKey },
          ...(cfg.location ? { location: cfg.location } : {}),
        }),
    ));
  return {
    async load(dataset, table, file, opts) {
      await (
        await bigquery()
      )
        .dataset(dataset)
        .table(table)
        .load(file, {
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
          schema: { fields: opts.fields },
          writeDisposition: opts.writeDisposition,
          createDisposition: 'CREATE_IF_NEEDED',
        });
    },
    async query(sqlText) {
      await (await bigquery()).query({ query: sqlText, ...(cfg.location ? { location: cfg.location } : {}) });
    },
    async deleteTable(dataset, table) {
      await (await bigquery()).dataset(dataset).table(table).delete({ ignoreNotFound: true });
    },
  };
}

/** The SQL and load schema of one BigQuery load (unit-tested). Table names are `dataset`.`table` in the client's project. */
export const bigquerySql = {
  fields(schema: readonly ColumnSchema[]): BigQueryField[] {
    return schema.map((c) => ({ name: c.name, type: destinationType('bigquery', c.type), mode: 'NULLABLE' }));
  },
  createTable(t: DestinationTable, schema: readonly ColumnSchema[]): string {
    return `CREATE TABLE IF NOT EXISTS ${qualifiedTable('bigquery', t)} (${schema.map((c) => `${quoteIdent('bigquery', c.name)} ${destinationType('bigquery', c.type)}`).join(', ')})`;
  },
  merge(t: DestinationTable, stage: DestinationTable, columns: readonly string[], key: readonly string[]): string {
    const q = (c: string) => quoteIdent('bigquery', c);
    const on = key.map((k) => `T.${q(k)} = S.${q(k)}`).join(' AND ');
    const rest = columns.filter((c) => !key.includes(c));
    const update = rest.length > 0 ? ` WHEN MATCHED THEN UPDATE SET ${rest.map((c) => `${q(c)} = S.${q(c)}`).join(', ')}` : '';
    return (
      `MERGE ${qualifiedTable('bigquery', t)} AS T USING ${qualifiedTable('bigquery', stage)} AS S ON ${on}${update}` +
      ` WHEN NOT MATCHED THEN INSERT (${columns.map(q).join(', ')}) VALUES (${columns.map((c) => `S.${q(c)}`).join(', ')})`
    );
  },
};

/**
 * BigQuery through @google-cloud/bigquery: DuckDB writes the rows as newline-delimited JSON
 * (transferSelect: exact decimals and 64-bit integers as strings, TIMESTAMPTZ as UTC ISO text, BLOB as
 * base64), loaded by one load job with the mapped schema; replace is WRITE_TRUNCATE, append WRITE_APPEND
 * (each job is atomic); merge loads a staging table `<table>__ff_stage_<id>` (WRITE_TRUNCATE), creates
 * the target when missing, runs one MERGE statement and deletes the staging table.
 */
export class BigQueryDestination implements ExportDestination<BigQueryConnectionConfig> {
  readonly kind = 'bigquery' as const;

  /** `connect`: the client factory (a test double in tests). */
  constructor(private readonly opts: { connect?: (cfg: BigQueryConnectionConfig) => BigQueryClient } = {}) {}

  validateConfig(config: unknown): BigQueryConnectionConfig {
    return checkConnectionConfig<BigQueryConnectionConfig>('bigquery', config, {
      projectId: { type: 'string', required: true, maxLength: 63, pattern: /^[a-z][a-z0-9:.-]*$/ },
      clientEmail: { type: 'string', required: true, maxLength: 320, pattern: /^[^@\s]+@[^@\s]+$/ },
      privateKey: { type: 'string', required: true, maxLength: 16_384 },
      location: { type: 'string', maxLength: 64, pattern: /^[A-Za-z0-9-]+$/ },
    });
  }

  async load(o: ExportLoadOptions<BigQueryConnectionConfig>): Promise<{ rows: number }> {
    const cfg = this.validateConfig(o.connection);
    const key = o.writeMode === 'merge' ? await assertMergeKey(o.session, o.selectSql, o.schema, o.key) : undefined;
    const dir = await mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'ff-export-bigquery-'));
    const stage = key
      ? { schema: o.table.schema, table: `${o.table.table.slice(0, 100)}__ff_stage_${randomUUID().replace(/-/g, '').slice(0, 16)}` }
      : undefined;
    let step = 'write the JSON file';
    let client: BigQueryClient | undefined;
    try {
      const file = path.join(dir, 'rows.ndjson');
      const copied = await o.session.all(`COPY (${transferSelect(o.selectSql, o.schema, 'bigquery')}) TO ${sqlString(file)} (FORMAT json)`);
      const rows = Number(copied.rows[0]?.Count ?? 0);
      throwIfAborted(o.signal);
      client = (this.opts.connect ?? connectBigQuery)(cfg);
      const fields = bigquerySql.fields(o.schema);
      if (stage && key) {
        step = 'load the staging table';
        await client.load(stage.schema, stage.table, file, { fields, writeDisposition: 'WRITE_TRUNCATE' });
        throwIfAborted(o.signal);
        step = 'create table';
        await client.query(bigquerySql.createTable(o.table, o.schema));
        step = 'merge';
        await client.query(
          bigquerySql.merge(
            o.table,
            stage,
            o.schema.map((c) => c.name),
            key,
          ),
        );
      } else {
        step = 'load';
        await client.load(o.table.schema, o.table.table, file, { fields, writeDisposition: o.writeMode === 'replace' ? 'WRITE_TRUNCATE' : 'WRITE_APPEND' });
      }
      o.onProgress?.({ rows });
      return { rows };
    } catch (err) {
      throw destinationError('bigquery', step, err, [cfg.privateKey]);
    } finally {
      if (stage && client) await client.deleteTable(stage.schema, stage.table).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }
}
