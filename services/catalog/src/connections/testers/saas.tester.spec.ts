import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { CONNECTION_SPECS, type BigQueryConfig, type SnowflakeConfig } from '../connection-types';
import { probeBigQuery } from './bigquery.tester';
import { probeSnowflake, snowflakeAccountUrl } from './snowflake.tester';

/**
 * The snowflake and bigquery probes. Both services are paid SaaS that cannot be reached from a test: the
 * probes' own steps run for real (offline key checks, the address guard, an HTTP HEAD) against a local
 * HTTP server standing in for the account host / API endpoint, and a closed local port.
 */
describe('snowflake and bigquery probes (config checks and reachability)', () => {
  let server: http.Server;
  let heads = 0;
  let openUrl: URL;
  let closedUrl: URL;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const rsaPem = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encryptedPem = rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-Passphrase-1' }).toString();
  const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  const snowflake = (over: Record<string, unknown>): SnowflakeConfig =>
    CONNECTION_SPECS.snowflake.schema.parse({ account: 'xy12345.eu-central-1', username: 'ETL', warehouse: 'WH', database: 'DB', schema: 'S', ...over });
  const bigquery = (privateKey: string): BigQueryConfig =>
    CONNECTION_SPECS.bigquery.schema.parse({
      projectId: 'my-project',
      dataset: 'lake',
      credentials: JSON.stringify({ type: 'service_account', client_email: 'etl@my-project.iam.gserviceaccount.com', private_key: privateKey }),
    });

  beforeAll(async () => {
    server = http.createServer((rq, rs) => {
      if (rq.method === 'HEAD') heads++;
      rs.writeHead(302, { location: '/console' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    openUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    closedUrl = new URL(`http://127.0.0.1:${(spare.address() as AddressInfo).port}/`);
    await new Promise((r) => spare.close(r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('the account URL is https://<account>.snowflakecomputing.com, lower case, underscores as hyphens', () => {
    expect(snowflakeAccountUrl('XY12345.eu-central-1').href).toBe('https://xy12345.eu-central-1.snowflakecomputing.com/');
    expect(snowflakeAccountUrl('my_org-acct_1').hostname).toBe('my-org-acct-1.snowflakecomputing.com');
  });

  it('snowflake: a reached account host is ok, and the message says the login was not tried', async () => {
    const before = heads;
    const r = await probeSnowflake(snowflake({ password: 'p', allowPrivateNetworks: true }), openUrl);
    expect(r).toEqual({
      ok: true,
      message: `Snowflake account "xy12345.eu-central-1" answers at ${openUrl.origin} (HTTP 302); the login of user "ETL" (password) to warehouse "WH" is not tried by this test: the first export tries it`,
    });
    expect(heads).toBe(before + 1);
    expect(
      await probeSnowflake(snowflake({ privateKey: encryptedPem, privateKeyPassphrase: 'key-Passphrase-1', allowPrivateNetworks: true }), openUrl),
    ).toMatchObject({ ok: true, message: expect.stringContaining('(key pair)') });
  });

  it('snowflake: an unreachable account host, a private address without the flag, and unusable keys fail clearly, before any request', async () => {
    const before = heads;
    expect(await probeSnowflake(snowflake({ password: 'p', allowPrivateNetworks: true }), closedUrl)).toEqual({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: `Snowflake account "xy12345.eu-central-1" at 127.0.0.1:${closedUrl.port} refused the connection (nothing listens there: check host and port)`,
    });
    expect(await probeSnowflake(snowflake({ password: 'p' }), openUrl)).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining('127.0.0.1 (loopback address)'),
    });
    expect(await probeSnowflake(snowflake({ privateKey: encryptedPem, allowPrivateNetworks: true }), openUrl)).toEqual({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: 'Snowflake account "xy12345.eu-central-1": the private key cannot be used (it is encrypted and no passphrase is set)',
    });
    expect(
      await probeSnowflake(snowflake({ privateKey: encryptedPem, privateKeyPassphrase: 'wrong-Passphrase', allowPrivateNetworks: true }), openUrl),
    ).toMatchObject({ ok: false, code: 'FF_CONN_AUTH', message: expect.stringContaining('(the passphrase does not open it)') });
    expect(await probeSnowflake(snowflake({ privateKey: ecPem, allowPrivateNetworks: true }), openUrl)).toEqual({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: 'Snowflake account "xy12345.eu-central-1": key-pair authentication needs an RSA private key (this one is ec)',
    });
    const garbled = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';
    expect(await probeSnowflake(snowflake({ privateKey: garbled, allowPrivateNetworks: true }), openUrl)).toMatchObject({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: expect.stringContaining('(it is not a readable PEM private key)'),
    });
    expect(heads).toBe(before);
  });

  it('bigquery: the endpoint is never a private address (no flag), an unreadable private_key fails offline', async () => {
    const before = heads;
    expect(await probeBigQuery(bigquery(rsaPem), openUrl)).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining('127.0.0.1 (loopback address)'),
    });
    expect(await probeBigQuery(bigquery('-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n'), openUrl)).toEqual({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: `BigQuery project "my-project": the service account key's private_key cannot be used (it is not a readable PEM private key)`,
    });
    expect(heads).toBe(before);
  });
});
