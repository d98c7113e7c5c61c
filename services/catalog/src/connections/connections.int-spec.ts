import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  requireServerBinaries,
  requireStack,
  SAMBA_BINARIES,
  startSamba,
  startVsftpd,
  VSFTPD_BINARIES,
  type TestDatabase,
} from '@flowforge/testing';
import { startS3rver, type S3rverHandle } from '@flowforge/storage/testing';
import { asAdmin, call, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { generateRsaPem, startSftpServer, type SftpServerHandle } from '../../test/sftp-server';
import { encodeMasterKey, generateMasterKey, MasterKeyring } from '../secrets/master-key';
import { SecretCipher } from '../secrets/secret-cipher';
import type { ConnectionView } from './connections.service';
import type { ConnectionTestResult } from './testers/probe-outcome';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

const kafkaStack = requireStack('catalog kafka connection tester', ['kafkaBrokers']);
const fileServers = requireServerBinaries('catalog ftp and smb connection testers (vsftpd, Samba)', [...VSFTPD_BINARIES, ...SAMBA_BINARIES]);

describe('connections API (catalog on real PostgreSQL)', () => {
  const key = generateMasterKey();
  const cipher = new SecretCipher(new MasterKeyring(key));
  /** Every secret any test sends: none may ever come back, be logged or be published. */
  const secrets = [
    'pg-S3cret-value',
    'pg-Rotated-value',
    'mysql-Wrong-pass',
    'S3RVER',
    'kafka-Sasl-pass',
    'Bearer-tok-123',
    'x-api-key-value',
    'sftp-pw-value',
    'sftp-Wrong-pass',
    'sftp-Key-passphrase',
    'ftp-Wrong-pass',
    'smb-Wrong-pass',
  ];
  const responses: string[] = [];
  let db: TestDatabase;
  let host: CatalogHost;
  let s3: S3rverHandle;
  let tmp: string;
  let api: http.Server;
  let apiUrl: string;
  let sftp: SftpServerHandle;
  let sftpRoot: string;
  const sftpKey = generateRsaPem('sftp-Key-passphrase');
  secrets.push(sftpKey.split('\n').find((line) => line.length === 64)!); // a line of the (encrypted) key body

  // An administrator's calls: the loopback servers below need allowPrivateNetworks, which only one may set.
  const req = async <T>(method: string, p: string, body?: unknown) => {
    const r = await call<T>(host.base, method, `/internal/catalog/connections${p}`, body, asAdmin);
    responses.push(r.text);
    return r;
  };
  const create = async (body: Record<string, unknown>) => {
    const r = await req<ConnectionView>('POST', '', body);
    expect({ status: r.status, body: r.body }).toMatchObject({ status: 201 });
    return r.body;
  };
  const test = async (id: string) => {
    const r = await req<ConnectionTestResult>('POST', `/${id}/test`);
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_catconn');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-conn-'));
    host = await startCatalogHost({ databaseUrl: db.url, env: { FLOWFORGE_MASTER_KEY: encodeMasterKey(key), FLOWFORGE_LOCAL_CONNECTION_ROOTS: tmp } });
    s3 = await startS3rver('ff-conn-test');
    api = http.createServer((rq, rs) => {
      if (rq.url?.startsWith('/private') && rq.headers.authorization !== 'Bearer Bearer-tok-123') rs.writeHead(401).end();
      else if (rq.method === 'HEAD' && rq.url === '/no-head') rs.writeHead(405).end();
      else rs.writeHead(rq.url === '/missing' ? 404 : 200).end('ok');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    sftpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-sftp-'));
    fs.mkdirSync(path.join(sftpRoot, 'sftp-home'));
    fs.writeFileSync(path.join(sftpRoot, 'sftp-home', 'a.csv'), 'a\n');
    fs.mkdirSync(path.join(sftpRoot, 'sftp-home', 'in'));
    sftp = await startSftpServer(
      {
        ff: { password: 'sftp-pw-value', home: path.join(sftpRoot, 'sftp-home') },
        keyed: { privateKey: sftpKey, home: path.join(sftpRoot, 'sftp-home') },
        homeless: { password: 'sftp-pw-value', home: path.join(sftpRoot, 'no-such-home') },
      },
      { keyed: 'sftp-Key-passphrase' },
    );
  });

  afterAll(async () => {
    await host?.close();
    await s3?.stop();
    await new Promise((r) => api?.close(r));
    await sftp?.close();
    if (sftpRoot) fs.rmSync(sftpRoot, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    await db?.drop();
  });

  it('creates, lists, gets, updates and deletes a connection; secrets come back only as { set }', async () => {
    const created = await create({
      name: 'warehouse',
      type: 'postgres',
      description: 'the DWH',
      config: { host: '127.0.0.1', database: 'postgres', user: 'postgres', password: 'pg-S3cret-value', allowPrivateNetworks: true },
    });
    expect(created).toMatchObject({
      name: 'warehouse',
      type: 'postgres',
      description: 'the DWH',
      config: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', ssl: false, allowPrivateNetworks: true, password: { set: true } },
      secretFields: ['password'],
      version: 1,
    });

    const listed = await req<ConnectionView[]>('GET', '?type=postgres');
    expect(listed.body.map((c) => c.id)).toContain(created.id);
    const got = await req<ConnectionView>('GET', `/${created.id}`);
    expect(got.body).toEqual(created);

    // At rest: the plain config has no password, the secret row holds AES-GCM ciphertext under our key id.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const row = (await pg.query('SELECT config::text AS config FROM ff_catalog.connections WHERE id = $1', [created.id])).rows[0];
      expect(row.config).not.toContain('pg-S3cret-value');
      const secret = (await pg.query('SELECT * FROM ff_catalog.connection_secrets WHERE connection_id = $1', [created.id])).rows;
      expect(secret).toHaveLength(1);
      expect(secret[0]).toMatchObject({ field: 'password', key_id: key.id });
      expect(Buffer.concat([secret[0].iv, secret[0].auth_tag, secret[0].ciphertext]).toString('latin1')).not.toContain('pg-S3cret');
      const sealed = { keyId: secret[0].key_id, iv: secret[0].iv, authTag: secret[0].auth_tag, ciphertext: secret[0].ciphertext };
      expect(JSON.parse(cipher.open(sealed, `connection/${created.id}/password`))).toBe('pg-S3cret-value');

      // A merge patch that sends the placeholder back keeps the secret; a new value replaces it.
      const patched = await req<ConnectionView>('PATCH', `/${created.id}`, { name: 'warehouse-2', config: { port: 5432, password: { set: true } } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'warehouse-2', version: 2, config: { password: { set: true } } });
      const kept = (await pg.query('SELECT * FROM ff_catalog.connection_secrets WHERE connection_id = $1', [created.id])).rows[0];
      expect(
        JSON.parse(cipher.open({ keyId: kept.key_id, iv: kept.iv, authTag: kept.auth_tag, ciphertext: kept.ciphertext }, `connection/${created.id}/password`)),
      ).toBe('pg-S3cret-value');
      expect(kept.iv.equals(secret[0].iv)).toBe(false); // re-sealed with a fresh IV

      await req('PATCH', `/${created.id}`, { config: { password: 'pg-Rotated-value' } });
      const replaced = (await pg.query('SELECT * FROM ff_catalog.connection_secrets WHERE connection_id = $1', [created.id])).rows[0];
      expect(
        JSON.parse(
          cipher.open(
            { keyId: replaced.key_id, iv: replaced.iv, authTag: replaced.auth_tag, ciphertext: replaced.ciphertext },
            `connection/${created.id}/password`,
          ),
        ),
      ).toBe('pg-Rotated-value');

      const cleared = await req<ConnectionView>('PATCH', `/${created.id}`, { config: { password: null } });
      expect(cleared.body.config.password).toEqual({ set: false });

      expect((await req('DELETE', `/${created.id}`)).status).toBe(204);
      expect((await pg.query('SELECT count(*)::int AS n FROM ff_catalog.connection_secrets WHERE connection_id = $1', [created.id])).rows[0].n).toBe(0);
    } finally {
      await pg.end();
    }
    const gone = await req<Problem>('GET', `/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.contentType).toContain('application/problem+json');
    expect(gone.body).toMatchObject({ code: 'FF_CONNECTION_NOT_FOUND', detail: `connection ${created.id} does not exist` });
  });

  it('answers bad input with 400 problem+json naming the field', async () => {
    const cases: [unknown, { field: string; message: string }[]][] = [
      [
        { name: 'x', type: 'oracle', config: {} },
        [
          {
            field: 'type',
            message:
              'must be one of "postgres", "mysql", "s3", "local", "sftp", "http", "kafka", "gcs", "azure", "ftp", "smb", "redshift", "synapse", "snowflake", "bigquery"',
          },
        ],
      ],
      [
        { name: 'x', type: 'postgres', config: { host: 'h', port: 'five', database: 'd', user: 'u' } },
        [{ field: 'config.port', message: 'must be an integer between 1 and 65535' }],
      ],
      [{ name: 'x', type: 'mysql', config: { host: 'h', user: 'u', passwd: 'p' } }, [{ field: 'config.passwd', message: 'is not a known field' }]],
      [{ name: '', type: 'local', config: { path: '/tmp' } }, [{ field: 'name', message: expect.stringContaining('must be 1-128 letters') }]],
      [{ type: 'local', config: { path: '/tmp' } }, [{ field: 'name', message: 'is required' }]],
      [{ name: 'x', type: 'local', config: 'nope' }, [{ field: 'config', message: 'must be an object' }]],
    ];
    for (const [body, errors] of cases) {
      const r = await req<Problem>('POST', '', body);
      expect({ body, status: r.status, type: r.contentType, problem: r.body }).toMatchObject({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        problem: { code: 'FF_VALIDATION', errors },
      });
    }
    expect((await req<Problem>('GET', '/not-a-uuid')).body).toMatchObject({ status: 400, errors: [{ field: 'id', message: 'must be a UUID' }] });
    expect((await req<Problem>('GET', '?limit=0')).body).toMatchObject({ status: 400, errors: [{ field: 'limit' }] });

    await create({ name: 'dup', type: 'local', config: { path: tmp } });
    const dup = await req<Problem>('POST', '', { name: 'dup', type: 'local', config: { path: tmp } });
    expect(dup.body).toMatchObject({ status: 409, code: 'FF_CONNECTION_NAME_TAKEN', detail: expect.stringContaining('"dup"') });
    const c = await create({ name: 'pg-for-patch', type: 'postgres', config: { host: 'h', database: 'd', user: 'u' } });
    expect((await req<Problem>('PATCH', `/${c.id}`, { config: { port: 0 } })).body).toMatchObject({ status: 400, errors: [{ field: 'config.port' }] });
    expect((await req<Problem>('PATCH', `/${c.id}`, {})).body).toMatchObject({ status: 400, code: 'FF_VALIDATION' });
  });

  it('postgres tester: SELECT 1 succeeds; a wrong port and an unknown user fail with clear messages', async () => {
    const base = { host: '127.0.0.1', database: 'postgres', user: 'postgres', password: 'pg-S3cret-value', allowPrivateNetworks: true };
    const ok = await test((await create({ name: 'pg-ok', type: 'postgres', config: base })).id);
    expect(ok).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^connected to PostgreSQL .* at 127\.0\.0\.1:5432, database "postgres", as "postgres"$/),
    });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    const port = await test((await create({ name: 'pg-port', type: 'postgres', config: { ...base, port: 1 } })).id);
    expect(port).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: 'PostgreSQL at 127.0.0.1:1 refused the connection (nothing listens there: check host and port)',
    });
    const user = await test((await create({ name: 'pg-user', type: 'postgres', config: { ...base, user: 'no_such_role' } })).id);
    expect(user).toMatchObject({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: expect.stringContaining('PostgreSQL at 127.0.0.1:5432 refused user "no_such_role"'),
    });
    const dbMissing = await test((await create({ name: 'pg-db', type: 'postgres', config: { ...base, database: 'no_such_db' } })).id);
    expect(dbMissing).toMatchObject({ ok: false, code: 'FF_CONN_NOT_FOUND', message: 'PostgreSQL at 127.0.0.1:5432 has no database "no_such_db"' });
  });

  it('mysql tester: MariaDB answers; a wrong password and a wrong port fail with clear messages', async () => {
    const ok = await test((await create({ name: 'maria-ok', type: 'mysql', config: { host: '127.0.0.1', user: 'root', allowPrivateNetworks: true } })).id);
    expect(ok).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^connected to MySQL-compatible server .*MariaDB.* at 127\.0\.0\.1:3306, as "root"$/),
    });
    const pw = await test(
      (await create({ name: 'maria-pw', type: 'mysql', config: { host: '127.0.0.1', user: 'root', password: 'mysql-Wrong-pass', allowPrivateNetworks: true } }))
        .id,
    );
    expect(pw).toMatchObject({ ok: false, code: 'FF_CONN_AUTH', message: 'MySQL at 127.0.0.1:3306 refused the password for user "root"' });
    const port = await test(
      (await create({ name: 'maria-port', type: 'mysql', config: { host: '127.0.0.1', port: 1, user: 'root', allowPrivateNetworks: true } })).id,
    );
    expect(port).toMatchObject({ ok: false, code: 'FF_CONN_REFUSED', message: expect.stringContaining('MySQL at 127.0.0.1:1 refused the connection') });
  });

  it('s3 tester: HeadBucket succeeds; a missing bucket and a dead endpoint fail with clear messages', async () => {
    const config = {
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      allowPrivateNetworks: true,
    };
    expect(await test((await create({ name: 's3-ok', type: 's3', config })).id)).toMatchObject({
      ok: true,
      message: `bucket "${s3.bucket}" is reachable at ${s3.endpoint}`,
    });
    expect(await test((await create({ name: 's3-nobucket', type: 's3', config: { ...config, bucket: 'no-such-bucket' } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_NOT_FOUND',
      message: `bucket "no-such-bucket" does not exist at ${s3.endpoint}`,
    });
    expect(await test((await create({ name: 's3-port', type: 's3', config: { ...config, endpoint: 'http://127.0.0.1:1' } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: 'S3 endpoint at http://127.0.0.1:1 refused the connection (nothing listens there: check host and port)',
    });
  });

  it('local tester: a writable directory passes; a missing path and a file fail', async () => {
    expect(await test((await create({ name: 'dir-ok', type: 'local', config: { path: tmp } })).id)).toMatchObject({
      ok: true,
      message: `directory ${tmp} exists and is writable`,
    });
    expect(fs.readdirSync(tmp)).toEqual([]); // the probe file is gone
    const missing = path.join(tmp, 'nope');
    expect(await test((await create({ name: 'dir-missing', type: 'local', config: { path: missing } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_NOT_FOUND',
      message: `directory ${missing} does not exist`,
    });
    const file = path.join(tmp, 'file.txt');
    fs.writeFileSync(file, 'x');
    expect(await test((await create({ name: 'dir-file', type: 'local', config: { path: file } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_NOT_A_DIRECTORY',
    });
  });

  it('http tester: refuses private and metadata targets unless allowed; reports status and refused credentials', async () => {
    const refused = await test((await create({ name: 'http-private', type: 'http', config: { baseUrl: apiUrl } })).id);
    expect(refused).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining(
        '(loopback address), which outbound calls refuse; an administrator (settings:configure-system) may set allowPrivateNetworks: true',
      ),
    });
    const metadata = await test((await create({ name: 'http-imds', type: 'http', config: { baseUrl: 'http://169.254.169.254/latest/meta-data/' } })).id);
    expect(metadata).toMatchObject({
      ok: false,
      code: 'FF_CONN_FORBIDDEN_ADDRESS',
      message: expect.stringContaining('169.254.169.254 (cloud metadata address)'),
    });

    const allowed = { baseUrl: apiUrl, allowPrivateNetworks: true, token: 'Bearer-tok-123', headers: { 'x-api-key': 'x-api-key-value' } };
    expect(await test((await create({ name: 'http-ok', type: 'http', config: { ...allowed, testPath: '/private' } })).id)).toMatchObject({
      ok: true,
      message: `${apiUrl} answered HTTP 200 for /private`,
    });
    expect(await test((await create({ name: 'http-get', type: 'http', config: { ...allowed, testPath: '/no-head' } })).id)).toMatchObject({ ok: true });
    expect(
      await test((await create({ name: 'http-auth', type: 'http', config: { ...allowed, token: 'wrong-token', testPath: '/private' } })).id),
    ).toMatchObject({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: `${apiUrl} answered HTTP 401 for /private: the credentials (headers or token) were refused`,
    });
    expect(await test((await create({ name: 'http-404', type: 'http', config: { ...allowed, testPath: '/missing' } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_HTTP_STATUS',
    });
    expect(
      await test((await create({ name: 'http-port', type: 'http', config: { baseUrl: 'http://127.0.0.1:1', allowPrivateNetworks: true } })).id),
    ).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
    });
  });

  (kafkaStack ? it : it.skip)('kafka tester: describeCluster on the stack broker succeeds', async () => {
    const r = await test((await create({ name: 'kafka-ok', type: 'kafka', config: { brokers: kafkaStack!.kafkaBrokers, allowPrivateNetworks: true } })).id);
    expect(r).toMatchObject({ ok: true, message: expect.stringMatching(/^reached Kafka cluster \S+ at .* \(\d+ brokers?\)$/) });
  });

  it('kafka tester: a closed port fails with a clear message', async () => {
    const r = await test(
      (
        await create({
          name: 'kafka-port',
          type: 'kafka',
          config: { brokers: ['127.0.0.1:1'], sasl: { mechanism: 'plain', username: 'u', password: 'kafka-Sasl-pass' }, allowPrivateNetworks: true },
        })
      ).id,
    );
    expect(r).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: 'Kafka broker at 127.0.0.1:1 refused the connection (nothing listens there: check host and port)',
    });
  });

  it('sftp tester: lists the login directory with a password or a private key; refused credentials, a closed port and a missing directory fail clearly', async () => {
    const where = `${sftp.host}:${sftp.port}`;
    const base = { host: sftp.host, port: sftp.port, allowPrivateNetworks: true };
    const ok = await create({ name: 'sftp-ok', type: 'sftp', config: { ...base, user: 'ff', password: 'sftp-pw-value' } });
    expect(ok.config).toMatchObject({ password: { set: true }, privateKey: { set: false }, passphrase: { set: false } });
    expect(await test(ok.id)).toMatchObject({
      ok: true,
      message: `connected to SFTP server at ${where} as "ff"; directory / lists 2 entries`,
      latencyMs: expect.any(Number),
    });

    const keyed = await create({ name: 'sftp-key', type: 'sftp', config: { ...base, user: 'keyed', privateKey: sftpKey, passphrase: 'sftp-Key-passphrase' } });
    expect(await test(keyed.id)).toMatchObject({ ok: true, message: `connected to SFTP server at ${where} as "keyed"; directory / lists 2 entries` });
    expect(await test((await create({ name: 'sftp-key-nopass', type: 'sftp', config: { ...base, user: 'keyed', privateKey: sftpKey } })).id)).toMatchObject({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: `SFTP connection to ${where}: the private key cannot be used (missing or wrong passphrase)`,
    });

    const wrong = await test((await create({ name: 'sftp-wrong', type: 'sftp', config: { ...base, user: 'ff', password: 'sftp-Wrong-pass' } })).id);
    expect(wrong).toEqual({
      ok: false,
      code: 'FF_CONN_AUTH',
      message: `SFTP server at ${where}: authentication failed for user "ff" (the password was refused)`,
      latencyMs: expect.any(Number),
    });

    expect(
      await test(
        (
          await create({
            name: 'sftp-port',
            type: 'sftp',
            config: { host: '127.0.0.1', port: 1, user: 'ff', password: 'sftp-pw-value', allowPrivateNetworks: true },
          })
        ).id,
      ),
    ).toMatchObject({
      ok: false,
      code: 'FF_CONN_REFUSED',
      message: 'SFTP server at 127.0.0.1:1 refused the connection (nothing listens there: check host and port)',
    });

    expect(
      await test((await create({ name: 'sftp-homeless', type: 'sftp', config: { ...base, user: 'homeless', password: 'sftp-pw-value' } })).id),
    ).toMatchObject({
      ok: false,
      code: 'FF_CONN_NOT_FOUND',
      message: `SFTP server at ${where}: the login directory of user "homeless" does not exist (path missing)`,
    });
  });

  (fileServers ? it : it.skip)(
    'ftp and smb testers: the location test against real vsftpd and Samba; a wrong password, a missing folder and a closed port fail clearly',
    async () => {
      const ftp = await startVsftpd();
      const samba = await startSamba();
      secrets.push(ftp.password, samba.password);
      try {
        ftp.writeFile('in/a.csv', 'a\n');
        samba.writeFile('in/a.csv', 'a\n');
        const ftpBase = { host: ftp.host, port: ftp.port, user: ftp.user, allowPrivateNetworks: true };
        const okFtp = await create({ name: 'ftp-ok', type: 'ftp', config: { ...ftpBase, password: ftp.password, path: 'in' } });
        expect(okFtp.config).toMatchObject({ password: { set: true }, secure: false, path: 'in' });
        expect(okFtp.secretFields).toEqual(['password']);
        expect(await test(okFtp.id)).toMatchObject({ ok: true, message: `FTP server at ${ftp.host}:${ftp.port} is reachable and can be listed` });
        expect(await test((await create({ name: 'ftp-wrong', type: 'ftp', config: { ...ftpBase, password: 'ftp-Wrong-pass' } })).id)).toMatchObject({
          ok: false,
          code: 'FF_CONN_AUTH',
          message: expect.stringContaining(`refused the login of user "${ftp.user}"`),
        });
        expect(await test((await create({ name: 'ftp-nodir', type: 'ftp', config: { ...ftpBase, password: ftp.password, path: 'nope' } })).id)).toMatchObject({
          ok: false,
          code: 'FF_CONN_NOT_FOUND',
        });
        expect(await test((await create({ name: 'ftp-port', type: 'ftp', config: { ...ftpBase, port: 1, password: ftp.password } })).id)).toMatchObject({
          ok: false,
          code: 'FF_CONN_REFUSED',
          message: 'FTP server at 127.0.0.1:1 refused the connection (nothing listens there: check host and port)',
        });

        const smbBase = { host: samba.host, port: samba.port, share: samba.share, user: samba.user, allowPrivateNetworks: true };
        const okSmb = await create({ name: 'smb-ok', type: 'smb', config: { ...smbBase, password: samba.password, path: 'in' } });
        expect(okSmb.config).toMatchObject({ password: { set: true }, share: 'data', path: 'in' });
        expect(await test(okSmb.id)).toMatchObject({ ok: true, message: `SMB share "data" at ${samba.host}:${samba.port} is reachable and can be listed` });
        expect(await test((await create({ name: 'smb-wrong', type: 'smb', config: { ...smbBase, password: 'smb-Wrong-pass' } })).id)).toMatchObject({
          ok: false,
          code: 'FF_CONN_AUTH',
        });
        expect(
          await test((await create({ name: 'smb-noshare', type: 'smb', config: { ...smbBase, share: 'other', password: samba.password } })).id),
        ).toMatchObject({
          ok: false,
          code: 'FF_CONN_NOT_FOUND',
          message: expect.stringContaining('the share "other" does not exist'),
        });
        // Without allowPrivateNetworks the loopback server is refused before any packet is sent.
        const guarded = await call<ConnectionView>(
          host.base,
          'POST',
          '/internal/catalog/connections',
          {
            name: 'smb-guarded',
            type: 'smb',
            config: { ...smbBase, allowPrivateNetworks: false, password: samba.password },
          },
          asAdmin,
        );
        expect(await test(guarded.body.id)).toMatchObject({ ok: false, code: 'FF_CONN_FORBIDDEN_ADDRESS' });
      } finally {
        await ftp.stop();
        await samba.stop();
      }
    },
  );

  it('never returns, logs or publishes a secret', async () => {
    expect(responses.length).toBeGreaterThan(30);
    const logs = host.rawLogs();
    expect(logs).toContain('connection test failed'); // the logs were captured
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    let published = '';
    try {
      const exists = (await pg.query(`SELECT to_regclass('ff_bus.log') IS NOT NULL AS ok`)).rows[0].ok as boolean;
      if (exists)
        published = (await pg.query(`SELECT payload, headers::text AS headers FROM ff_bus.log`)).rows
          .map((r) => `${r.headers}${Buffer.from(r.payload).toString('latin1')}`)
          .join('\n');
    } finally {
      await pg.end();
    }
    for (const s of secrets.filter((x) => x !== 'S3RVER')) {
      expect({ secret: s, inResponses: responses.some((r) => r.includes(s)) }).toEqual({ secret: s, inResponses: false });
      expect({ secret: s, inLogs: logs.includes(s) }).toEqual({ secret: s, inLogs: false });
      expect({ secret: s, inEvents: published.includes(s) }).toEqual({ secret: s, inEvents: false });
    }
  });
});
