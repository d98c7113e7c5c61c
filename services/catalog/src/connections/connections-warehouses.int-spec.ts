import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { EXECUTOR_TOKEN_HEADER } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { asAdmin, asConnectionManager, call, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { WarehouseConnectionTypes1768003200000 } from '../migrations/1768003200000-warehouse-connection-types';
import { encodeMasterKey, generateMasterKey, MasterKeyring } from '../secrets/master-key';
import { SecretCipher } from '../secrets/secret-cipher';
import type { ConnectionView } from './connections.service';
import type { ConnectionTestResult } from './testers/probe-outcome';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

/**
 * The connections of warehouse destinations (issue 14: the transformation service's export job) on a real
 * catalog and PostgreSQL: redshift, synapse, snowflake and bigquery created with their secrets sealed,
 * bad configs named field by field, and each tester's outcome. Redshift's tester runs against the stack's
 * PostgreSQL (Redshift speaks its protocol); synapse's against closed and silent loopback ports. Snowflake
 * and BigQuery are paid SaaS not reachable from here: their testers answer what they checked (schema.spec
 * and testers/saas.tester.spec.ts cover their steps against a local server).
 */
describe('warehouse destination connections (catalog on real PostgreSQL)', () => {
  const key = generateMasterKey();
  const cipher = new SecretCipher(new MasterKeyring(key));
  const executorToken = randomBytes(32).toString('base64url');
  const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const saKey = JSON.stringify({
    type: 'service_account',
    project_id: 'my-project',
    private_key_id: 'bq-Key-id-value',
    client_email: 'etl@my-project.iam.gserviceaccount.com',
    private_key: rsaPem,
  });
  /** Every secret sent here: none may come back in an answer or reach the log. */
  const secrets = ['rs-Secret-pw', 'syn-Secret-pw', 'sf-Secret-pw', 'bq-Key-id-value', rsaPem.split('\n')[3]!, 'not-json-Secret-text'];
  const responses: string[] = [];
  let db: TestDatabase;
  let host: CatalogHost;
  let pgHost: { host: string; port: number; database: string; user: string; password?: string };
  let closedPort: number;
  let silent: net.Server;
  let silentPort: number;

  const req = async <T>(method: string, p: string, body?: unknown, caller = asAdmin) => {
    const r = await call<T>(host.base, method, `/internal/catalog/connections${p}`, body, caller);
    responses.push(r.text);
    return r;
  };
  const create = async (name: string, type: string, config: Record<string, unknown>, caller = asAdmin) => {
    const r = await req<ConnectionView>('POST', '', { name, type, config }, caller);
    expect({ name, status: r.status, body: r.body }).toMatchObject({ name, status: 201 });
    return r.body;
  };
  const test = async (id: string) => {
    const r = await req<ConnectionTestResult & { code?: string }>('POST', `/${id}/test`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const sealedFields = async (id: string) => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const plain = (await pg.query('SELECT config::text AS config FROM ff_catalog.connections WHERE id = $1', [id])).rows[0]?.config as string;
      const rows = (await pg.query('SELECT * FROM ff_catalog.connection_secrets WHERE connection_id = $1 ORDER BY field', [id])).rows;
      return {
        plain,
        fields: rows.map((r) => r.field as string),
        raw: rows.map((r) => Buffer.concat([r.iv, r.auth_tag, r.ciphertext]).toString('latin1')).join(''),
        open: (field: string) => {
          const r = rows.find((x) => x.field === field)!;
          return JSON.parse(cipher.open({ keyId: r.key_id, iv: r.iv, authTag: r.auth_tag, ciphertext: r.ciphertext }, `connection/${id}/${field}`)) as string;
        },
      };
    } finally {
      await pg.end();
    }
  };

  const snowflakeBase = { account: 'xy12345.eu-central-1', username: 'ETL', warehouse: 'LOAD_WH', database: 'DWH', schema: 'PUBLIC' };
  const bigqueryBase = { projectId: 'my-project', dataset: 'lake_export', location: 'EU' };

  beforeAll(async () => {
    db = await createTestDatabase('ff_catwh');
    host = await startCatalogHost({ databaseUrl: db.url, env: { FLOWFORGE_MASTER_KEY: encodeMasterKey(key), FLOWFORGE_EXECUTOR_TOKEN: executorToken } });
    const server = new URL(db.url);
    pgHost = {
      host: '127.0.0.1',
      port: Number(server.port || 5432),
      database: server.pathname.slice(1),
      user: decodeURIComponent(server.username),
      ...(server.password ? { password: decodeURIComponent(server.password) } : {}),
    };
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((r) => spare.close(r));
    // Accepts and closes at once: a port that is open but speaks no TDS.
    silent = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await host?.close();
    await new Promise((r) => silent?.close(r));
    await db?.drop();
  });

  it('creates each type (201): secrets shown only as { set }, sealed at rest, handed decrypted to an executor only', async () => {
    const cases: [string, string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
      [
        'rs',
        'redshift',
        { host: 'c1.abc.eu-west-1.redshift.amazonaws.com', database: 'dev', user: 'etl', password: 'rs-Secret-pw' },
        { port: 5439, ssl: true, allowPrivateNetworks: false, password: { set: true } },
        ['password'],
      ],
      [
        'syn',
        'synapse',
        { server: 'ws.sql.azuresynapse.net', database: 'pool1', user: 'etl', password: 'syn-Secret-pw' },
        { port: 1433, encrypt: true, trustServerCertificate: false, password: { set: true } },
        ['password'],
      ],
      [
        'sf',
        'snowflake',
        { ...snowflakeBase, privateKey: rsaPem },
        { ...snowflakeBase, password: { set: false }, privateKey: { set: true }, privateKeyPassphrase: { set: false } },
        ['privateKey'],
      ],
      ['bq', 'bigquery', { ...bigqueryBase, credentials: saKey }, { ...bigqueryBase, credentials: { set: true } }, ['credentials']],
    ];
    for (const [name, type, config, shown, sealed] of cases) {
      const c = await create(name, type, config);
      expect({ type, config: c.config }).toMatchObject({ type, config: shown });
      const atRest = await sealedFields(c.id);
      expect({ type, fields: atRest.fields }).toEqual({ type, fields: sealed });
      for (const field of sealed) {
        expect(atRest.plain).not.toContain(JSON.stringify(config[field]).slice(1, 20));
        expect(atRest.raw).not.toContain(String(config[field]).slice(0, 20));
        expect(atRest.open(field)).toBe(config[field]);
      }
    }
    // The export job reads them through the executors' route, secrets decrypted (and the read audited).
    const read = await call<{ type: string; config: Record<string, unknown> }>(
      host.base,
      'GET',
      '/internal/catalog/executor/connections/by-name/bq',
      undefined,
      {
        [EXECUTOR_TOKEN_HEADER]: executorToken,
        'x-flowforge-executor': 'transformation',
        'x-flowforge-run-id': 'run-1',
        'x-flowforge-step-id': 'export',
        'x-flowforge-attempt': '1',
      },
    );
    expect(read).toMatchObject({ status: 200, body: { type: 'bigquery', config: { ...bigqueryBase, credentials: saKey } } });
  });

  it('answers bad configs with 400 naming each field, echoing no secret, and writes nothing', async () => {
    const cases: [string, Record<string, unknown>, { field: string; message: unknown }[]][] = [
      ['snowflake', snowflakeBase, [{ field: 'config.password', message: 'one of password or privateKey is required' }]],
      [
        'snowflake',
        { ...snowflakeBase, password: 'sf-Secret-pw', privateKey: rsaPem },
        [{ field: 'config.privateKey', message: 'only one of password, privateKey may be set (password is)' }],
      ],
      [
        'bigquery',
        { ...bigqueryBase, credentials: 'not-json-Secret-text' },
        [{ field: 'config.credentials', message: 'must be the text of a service account JSON key file (it does not parse as JSON)' }],
      ],
      [
        'redshift',
        { host: 'h', port: 65536, database: 'dev', user: 'etl', password: 'rs-Secret-pw' },
        [{ field: 'config.port', message: 'must be an integer between 1 and 65535' }],
      ],
      [
        'synapse',
        { server: 'ws', port: -1, database: 'd', user: 'u' },
        [
          { field: 'config.port', message: 'must be an integer between 1 and 65535' },
          { field: 'config.password', message: 'is required' },
        ],
      ],
      [
        'synapse',
        { server: 'ws', database: 'd\u0000', user: 'u', password: 'syn-Secret-pw\u0000' },
        [
          { field: 'config.database', message: 'must not contain a NUL character (U+0000)' },
          { field: 'config.password', message: 'must not contain a NUL character (U+0000)' },
        ],
      ],
    ];
    let n = 0;
    for (const [type, config, errors] of cases) {
      const r = await req<Problem>('POST', '', { name: `bad-${++n}`, type, config });
      expect({ type, config: Object.keys(config), status: r.status, body: r.body }).toMatchObject({
        type,
        status: 400,
        body: { code: 'FF_VALIDATION', errors },
      });
    }
    const listed = await req<ConnectionView[]>('GET', '?limit=100');
    expect(listed.body.map((c) => c.name).filter((x) => x.startsWith('bad-'))).toEqual([]);
    // A non-administrator may not aim a warehouse connection at private networks.
    const r = await req<Problem>(
      'POST',
      '',
      { name: 'rs-private', type: 'redshift', config: { ...pgHost, password: 'rs-Secret-pw', allowPrivateNetworks: true } },
      asConnectionManager,
    );
    expect(r.body).toMatchObject({ status: 403, code: 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY', errors: [{ field: 'config.allowPrivateNetworks' }] });
  });

  it('redshift tester: runs the PostgreSQL probe against the real PostgreSQL (same protocol); TLS, database and guard failures are clear', async () => {
    const where = `127.0.0.1:${pgHost.port}`;
    const base = { ...pgHost, password: pgHost.password ?? 'rs-Secret-pw', allowPrivateNetworks: true };
    expect(await test((await create('rs-ok', 'redshift', { ...base, ssl: false })).id)).toMatchObject({
      ok: true,
      message: expect.stringMatching(
        new RegExp(`^connected to Amazon Redshift \\(the server reports .+\\) at ${where.replace(/\./g, '\\.')}, database "${pgHost.database}", as "`),
      ),
    });
    // ssl defaults to true, as Redshift expects; the stack's server has none.
    expect(await test((await create('rs-tls', 'redshift', base)).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_TLS',
      message: `Amazon Redshift at ${where} does not accept SSL; set ssl: false`,
    });
    expect(await test((await create('rs-nodb', 'redshift', { ...base, ssl: false, database: 'no_such_db' })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_NOT_FOUND',
      message: `Amazon Redshift at ${where} has no database "no_such_db"`,
    });
    expect(await test((await create('rs-port', 'redshift', { ...base, ssl: false, port: closedPort })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: `Amazon Redshift at 127.0.0.1:${closedPort} refused the connection (nothing listens there: check host and port)`,
    });
    expect(await test((await create('rs-guarded', 'redshift', { ...base, ssl: false, allowPrivateNetworks: false })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining('127.0.0.1 (loopback address)'),
    });
  });

  it('synapse tester: a closed loopback port is "refused", a port without TDS fails clearly, the guard refuses loopback without the flag', async () => {
    const base = { server: '127.0.0.1', database: 'pool1', user: 'etl', password: 'syn-Secret-pw', allowPrivateNetworks: true };
    expect(await test((await create('syn-closed', 'synapse', { ...base, port: closedPort })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: `Azure Synapse SQL endpoint at 127.0.0.1:${closedPort} refused the connection (nothing listens there: check host and port)`,
    });
    const mute = await test((await create('syn-mute', 'synapse', { ...base, port: silentPort })).id);
    expect(mute).toMatchObject({
      ok: false,
      code: 'FF_CONN_FAILED',
      message: expect.stringContaining(`Azure Synapse SQL endpoint at 127.0.0.1:${silentPort}`),
    });
    expect(await test((await create('syn-guarded', 'synapse', { ...base, port: closedPort, allowPrivateNetworks: false })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining('127.0.0.1 (loopback address)'),
    });
  });

  it('snowflake and bigquery testers (paid SaaS, unreachable here): a 200 outcome that says what was checked, never a 500', async () => {
    const outcomes = [
      [
        'snowflake',
        'xy12345.eu-central-1.snowflakecomputing.com',
        await test((await create('sf-test', 'snowflake', { ...snowflakeBase, password: 'sf-Secret-pw' })).id),
      ],
      ['bigquery', 'bigquery.googleapis.com', await test((await create('bq-test', 'bigquery', { ...bigqueryBase, credentials: saKey })).id)],
    ] as const;
    for (const [type, hostName, r] of outcomes) {
      // Where the internet is reachable the host answers; here its name does not resolve (or the call times out).
      if (r.ok) expect({ type, message: r.message }).toEqual({ type, message: expect.stringMatching(/answers at https:\/\/.*: the first export/) });
      else
        expect({ type, code: r.code, message: r.message }).toEqual({
          type,
          code: expect.stringMatching(/^FF_CONN_(HOST_NOT_FOUND|TIMEOUT|REFUSED)$/),
          message: expect.stringContaining(hostName),
        });
    }
  });

  it('never returns or logs a secret', () => {
    expect(responses.length).toBeGreaterThan(20);
    const logs = host.rawLogs();
    expect(logs).toContain('connection test failed');
    for (const s of secrets) {
      expect({ secret: s, inResponses: responses.some((r) => r.includes(s)) }).toEqual({ secret: s, inResponses: false });
      expect({ secret: s, inLogs: logs.includes(s) }).toEqual({ secret: s, inLogs: false });
    }
  });

  it('migration down removes the warehouse connections and the four types; up admits them again', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const runner = { query: (text: string) => pg.query(text) } as unknown as QueryRunner;
    const migration = new WarehouseConnectionTypes1768003200000();
    const count = async (where: string) => (await pg.query(`SELECT count(*)::int AS n FROM ff_catalog.connections WHERE ${where}`)).rows[0].n as number;
    const insert = (type: string) =>
      pg.query(`INSERT INTO ff_catalog.connections (id, name, type, config) VALUES (gen_random_uuid(), $1, $2, '{}')`, [`raw-${type}-${Date.now()}`, type]);
    try {
      expect(await count(`type IN ('redshift', 'synapse', 'snowflake', 'bigquery')`)).toBeGreaterThan(0);
      const others = await count(`type NOT IN ('redshift', 'synapse', 'snowflake', 'bigquery')`);
      await migration.down(runner);
      expect(await count(`type IN ('redshift', 'synapse', 'snowflake', 'bigquery')`)).toBe(0);
      expect(await count('true')).toBe(others);
      expect(
        (
          await pg.query(
            `SELECT count(*)::int AS n FROM ff_catalog.connection_secrets s LEFT JOIN ff_catalog.connections c ON c.id = s.connection_id WHERE c.id IS NULL`,
          )
        ).rows[0].n,
      ).toBe(0);
      await expect(insert('snowflake')).rejects.toThrow(/connections_type_check/);
      await migration.up(runner);
      await insert('snowflake');
      await expect(insert('oracle')).rejects.toThrow(/connections_type_check/);
    } finally {
      await pg.end();
    }
  });
});
