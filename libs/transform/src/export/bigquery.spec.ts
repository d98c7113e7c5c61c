// BigQuery is a paid SaaS, unreachable here: the loader runs against a test double at the
// @google-cloud/bigquery boundary (BigQueryClient) that records the jobs and reads the NDJSON file the
// load job would upload. Not verified here: that BigQuery parses that file and accepts the MERGE.
import { readFile } from 'node:fs/promises';
import { openDuckDb, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { BigQueryDestination, type BigQueryClient, type BigQueryConnectionConfig } from './bigquery';
import { describeSelect } from './rows';

let duck: DuckDb;
let session: DuckDbSession;
beforeAll(async () => {
  duck = await openDuckDb({ threads: 1 });
  session = await duck.connect();
});
afterAll(() => {
  session.close();
  duck.close();
});

const connection: BigQueryConnectionConfig = {
  projectId: 'my-project',
  clientEmail: 'sa@my-project.iam.gserviceaccount.com',
  privateKey: '-----BEGIN PRIVATE KEY-----abc',
};
const SQL = `SELECT 9007199254740993::BIGINT AS id, 12345678901234567890.123456789::DECIMAL(38,9) AS amount, TIMESTAMPTZ '2024-01-02 03:04:05+01' AS at_tz, TIMESTAMP '2024-01-02 03:04:05.25' AS at_local, [1, 2] AS tags, '\\xFF'::BLOB AS raw`;

function double(failLoad = false) {
  const calls: string[] = [];
  const files: string[] = [];
  const client: BigQueryClient = {
    load: async (dataset, table, file, opts) => {
      calls.push(`LOAD ${dataset}.${table} ${opts.writeDisposition} ${opts.fields.map((f) => `${f.name}:${f.type}`).join(',')}`);
      files.push(await readFile(file, 'utf8'));
      if (failLoad) throw new Error('Error while reading data, error message: JSON parsing error; key -----BEGIN PRIVATE KEY-----abc');
    },
    query: async (text) => void calls.push(text),
    deleteTable: async (dataset, table) => void calls.push(`DELETE TABLE ${dataset}.${table}`),
  };
  return { calls, files, connect: () => client };
}

async function run(d: ReturnType<typeof double>, writeMode: 'replace' | 'append' | 'merge', key?: string[]) {
  const dest = new BigQueryDestination({ connect: d.connect });
  return dest.load({
    connection,
    session,
    selectSql: SQL,
    schema: await describeSelect(session, SQL),
    table: { schema: 'sales', table: 'daily' },
    writeMode,
    ...(key ? { key } : {}),
  });
}

describe('BigQueryDestination (test double at the @google-cloud/bigquery boundary)', () => {
  // DECIMAL(38,9) is 29 integer + 9 fraction digits: exactly NUMERIC; DECIMAL(38,10) would be BIGNUMERIC (dialects.spec.ts).
  it('replace is one WRITE_TRUNCATE load job with the mapped schema; values exact in the NDJSON', async () => {
    const d = double();
    expect(await run(d, 'replace')).toEqual({ rows: 1 });
    expect(d.calls).toEqual(['LOAD sales.daily WRITE_TRUNCATE id:INT64,amount:NUMERIC,at_tz:TIMESTAMP,at_local:DATETIME,tags:STRING,raw:BYTES']);
    expect(JSON.parse(d.files[0]!.trim())).toEqual({
      id: '9007199254740993',
      amount: '12345678901234567890.123456789',
      at_tz: '2024-01-02T02:04:05.000000Z',
      at_local: '2024-01-02 03:04:05.25',
      tags: '[1,2]',
      raw: '/w==',
    });
    const a = double();
    await run(a, 'append');
    expect(a.calls[0]).toMatch(/^LOAD sales.daily WRITE_APPEND /);
  });

  it('merge loads a staging table, creates the target when missing, MERGEs, and deletes the staging table', async () => {
    const d = double();
    await run(d, 'merge', ['id']);
    const norm = d.calls.map((c) => c.replace(/daily__ff_stage_\w+/g, 'STAGE'));
    expect(norm).toEqual([
      'LOAD sales.STAGE WRITE_TRUNCATE id:INT64,amount:NUMERIC,at_tz:TIMESTAMP,at_local:DATETIME,tags:STRING,raw:BYTES',
      'CREATE TABLE IF NOT EXISTS `sales`.`daily` (`id` INT64, `amount` NUMERIC, `at_tz` TIMESTAMP, `at_local` DATETIME, `tags` STRING, `raw` BYTES)',
      'MERGE `sales`.`daily` AS T USING `sales`.`STAGE` AS S ON T.`id` = S.`id` WHEN MATCHED THEN UPDATE SET `amount` = S.`amount`, `at_tz` = S.`at_tz`, `at_local` = S.`at_local`, `tags` = S.`tags`, `raw` = S.`raw` WHEN NOT MATCHED THEN INSERT (`id`, `amount`, `at_tz`, `at_local`, `tags`, `raw`) VALUES (S.`id`, S.`amount`, S.`at_tz`, S.`at_local`, S.`tags`, S.`raw`)',
      'DELETE TABLE sales.STAGE',
    ]);
  });

  it('a failed load job is FF_EXPORT_DESTINATION with the reason and the key redacted', async () => {
    const err = await run(double(true), 'append').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).message).toBe('FF_EXPORT_DESTINATION: bigquery: load: Error while reading data, error message: JSON parsing error; key ***');
  });
});
