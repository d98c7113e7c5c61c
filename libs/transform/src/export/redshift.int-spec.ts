// Redshift's loader against the real PostgreSQL of the test stack: PostgreSQL stands in for Redshift's
// SQL dialect, so this verifies the PostgreSQL-compatible SQL redshift.ts generates (CREATE TABLE with the
// mapped types, batched INSERT with bound values, DELETE USING merge, the transaction) — not Redshift's
// own engine (its VARCHAR byte lengths, its TRUNCATE commit, its S3 COPY).
import { Client } from 'pg';
import { openDuckDb, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { TransformError } from '../transform.errors';
import { describeSelect } from './rows';
import { RedshiftDestination, type RedshiftConnectionConfig } from './redshift';

let db: TestDatabase;
let duck: DuckDb;
let session: DuckDbSession;
let pg: Client;
let connection: RedshiftConnectionConfig;

beforeAll(async () => {
  db = await createTestDatabase('ff_export_rs');
  const u = new URL(db.url);
  connection = { host: u.hostname, port: Number(u.port || 5432), database: db.name, user: decodeURIComponent(u.username), ssl: false };
  if (u.password) connection.password = decodeURIComponent(u.password);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query('CREATE SCHEMA sales');
  duck = await openDuckDb({ threads: 1 });
  session = await duck.connect();
});

afterAll(async () => {
  session?.close();
  duck?.close();
  await pg?.end();
  await db?.drop();
});

const destination = new RedshiftDestination({ batchRows: 2 });

async function load(selectSql: string, writeMode: 'replace' | 'append' | 'merge', key?: string[], table = 'daily') {
  const schema = await describeSelect(session, selectSql);
  return destination.load({ connection, session, selectSql, schema, table: { schema: 'sales', table }, writeMode, ...(key ? { key } : {}) });
}

const rows = async (table = 'daily') => (await pg.query(`SELECT * FROM sales.${table} ORDER BY id`)).rows;

const DAY1 = `SELECT * FROM (VALUES (1, 'a', 10.50::DECIMAL(10,2)), (2, 'b', 20.00::DECIMAL(10,2)), (3, 'c', NULL)) AS t(id, name, amount)`;
const DAY2 = `SELECT * FROM (VALUES (3, 'c2', 33.30::DECIMAL(10,2)), (4, 'd', 40.00::DECIMAL(10,2))) AS t(id, name, amount)`;

describe('RedshiftDestination against PostgreSQL', () => {
  it('replace creates the table, then replaces its rows; append adds; merge updates matches and inserts the rest', async () => {
    expect(await load(DAY1, 'replace')).toEqual({ rows: 3 });
    expect(await rows()).toEqual([
      { id: 1, name: 'a', amount: '10.50' },
      { id: 2, name: 'b', amount: '20.00' },
      { id: 3, name: 'c', amount: null },
    ]);
    expect(await load(DAY2, 'replace')).toEqual({ rows: 2 });
    expect((await rows()).map((r) => r.id)).toEqual([3, 4]);

    await load(DAY1, 'replace');
    expect(await load(DAY2, 'append')).toEqual({ rows: 2 });
    expect((await rows()).map((r) => `${r.id}:${r.name}`)).toEqual(['1:a', '2:b', '3:c', '3:c2', '4:d']);

    await load(DAY1, 'replace');
    expect(await load(DAY2, 'merge', ['id'])).toEqual({ rows: 2 });
    expect(await rows()).toEqual([
      { id: 1, name: 'a', amount: '10.50' },
      { id: 2, name: 'b', amount: '20.00' },
      { id: 3, name: 'c2', amount: '33.30' },
      { id: 4, name: 'd', amount: '40.00' },
    ]);
    // No temp stage table is left behind in the committed state.
    expect((await pg.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'ff_export_stage_%'`)).rows[0].n).toBe(0);
  });

  it('round-trips the types through the mapping (decimal, timestamps, date, boolean, text with quotes, big integers, lists as JSON)', async () => {
    const sql = `SELECT 1 AS id, 12345678901234.5678::DECIMAL(18,4) AS dec, TIMESTAMP '2024-02-03 04:05:06.123456' AS ts,
      TIMESTAMPTZ '2024-02-03 04:05:06.5+02' AS tstz, DATE '2024-02-29' AS d, true AS flag, 'it''s "quoted"; DROP TABLE x' AS txt,
      9223372036854775807::BIGINT AS big, 1.25::DOUBLE AS dbl, [1, 2, 3] AS list, {'a': 'x'} AS obj, TIME '01:02:03' AS t,
      18446744073709551615::UBIGINT AS ubig, 'e7b0a5b2-2f64-4d1f-a0a9-5c0c6b7a9e11'::UUID AS u`;
    await load(sql, 'replace', undefined, 'types');
    const types = await pg.query(
      `SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'types' ORDER BY ordinal_position`,
    );
    expect(
      types.rows.map(
        (r) => `${r.column_name}:${r.data_type}${r.numeric_precision && r.data_type === 'numeric' ? `(${r.numeric_precision},${r.numeric_scale})` : ''}`,
      ),
    ).toEqual([
      'id:integer',
      'dec:numeric(18,4)',
      'ts:timestamp without time zone',
      'tstz:timestamp with time zone',
      'd:date',
      'flag:boolean',
      'txt:character varying',
      'big:bigint',
      'dbl:double precision',
      'list:character varying',
      'obj:character varying',
      't:time without time zone',
      'ubig:numeric(20,0)',
      'u:character varying',
    ]);
    const r = (
      await pg.query(
        `SELECT dec::text, ts::text, (tstz AT TIME ZONE 'UTC')::text AS tstz, d::text, flag, txt, big::text, dbl, list, obj, t::text, ubig::text, u FROM sales.types`,
      )
    ).rows[0];
    expect(r).toEqual({
      dec: '12345678901234.5678',
      ts: '2024-02-03 04:05:06.123456',
      tstz: '2024-02-03 02:05:06.5',
      d: '2024-02-29',
      flag: true,
      txt: 'it\'s "quoted"; DROP TABLE x',
      big: '9223372036854775807',
      dbl: 1.25,
      list: '[1,2,3]',
      obj: '{"a":"x"}',
      t: '01:02:03',
      ubig: '18446744073709551615',
      u: 'e7b0a5b2-2f64-4d1f-a0a9-5c0c6b7a9e11',
    });
  });

  it('a failing load leaves the previous rows intact (one transaction), with the database reason in FF_EXPORT_DESTINATION', async () => {
    await load(DAY1, 'replace', undefined, 'atomic');
    // The existing column is numeric; the second batch carries text that PostgreSQL refuses after the DELETE and one batch ran.
    const bad = `SELECT * FROM (VALUES (7, 'x', '1.00'), (8, 'y', '2.00'), (9, 'z', 'not a number')) AS t(id, name, amount)`;
    const err = await load(bad, 'replace', undefined, 'atomic').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toMatch(/redshift: insert: invalid input syntax for type numeric/);
    expect((await rows('atomic')).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('refuses an existing table that lacks an exported column, and a merge key that is not unique, before writing', async () => {
    await load(DAY1, 'replace', undefined, 'narrow');
    const err = await load(`SELECT 1 AS id, 'n' AS name, 1.0 AS amount, 'extra' AS note`, 'append', undefined, 'narrow').catch((e: unknown) => e);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toContain('has no column "note"');
    const dup = await load(`SELECT * FROM (VALUES (1, 'a', 1.0), (1, 'b', 2.0)) AS t(id, name, amount)`, 'merge', ['id'], 'narrow').catch((e: unknown) => e);
    expect((dup as TransformError).code).toBe('FF_EXPORT_CONFIG');
    expect((dup as TransformError).problems[0]!.field).toBe('destination.key');
    expect((await rows('narrow')).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('a wrong password fails with FF_EXPORT_DESTINATION naming the step, without the password', async () => {
    const secret = 'hunter2-secret-pw';
    const err = await destination
      .load({
        connection: { ...connection, user: 'ff_no_such_user', password: secret },
        session,
        selectSql: DAY1,
        schema: await describeSelect(session, DAY1),
        table: { schema: 'sales', table: 'daily' },
        writeMode: 'append',
      })
      .catch((e: unknown) => e);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toContain('redshift: connect:');
    expect((err as TransformError).message).not.toContain(secret);
  });
});
