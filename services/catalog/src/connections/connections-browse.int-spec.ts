import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, requireAzurite, startAzurite, type AzuriteHandle, type TestDatabase } from '@flowforge/testing';
import { startS3rver, type S3rverHandle } from '@flowforge/storage/testing';
import { asAdmin, call, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { encodeMasterKey, generateMasterKey } from '../secrets/master-key';
import type { ConnectionBrowseResult, ConnectionView } from './connections.service';
import type { ConnectionTestResult } from './testers/probe-outcome';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

const azuriteInstalled = requireAzurite('catalog browse of azure connections (Azurite)');

/**
 * GET /internal/catalog/connections/{id}/browse on real servers: a local directory, an s3rver bucket and
 * an Azurite container; bad paths, non-file types and failing stores answer problems with their code, never 500.
 */
describe('connections browse (catalog on real PostgreSQL, s3rver, Azurite)', () => {
  const key = generateMasterKey();
  let db: TestDatabase;
  let host: CatalogHost;
  let s3: S3rverHandle;
  let azurite: AzuriteHandle | undefined;
  let tmp: string;
  const responses: string[] = [];

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
  const browse = <T = ConnectionBrowseResult>(id: string, p?: string) =>
    req<T>('GET', `/${id}/browse${p === undefined ? '' : `?path=${encodeURIComponent(p)}`}`);
  const s3Config = (extra: Record<string, unknown> = {}) => ({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3.credentials.accessKeyId,
    secretAccessKey: s3.credentials.secretAccessKey,
    prefix: 'landing',
    allowPrivateNetworks: true,
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase('ff_catbrowse');
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ff-browse-')));
    fs.mkdirSync(path.join(tmp, 'in', '2024'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'in', 'a.csv'), 'x\n1\n');
    fs.writeFileSync(path.join(tmp, 'in', '2024', 'b.csv'), 'x\n2\n');
    host = await startCatalogHost({ databaseUrl: db.url, env: { FLOWFORGE_MASTER_KEY: encodeMasterKey(key), FLOWFORGE_LOCAL_CONNECTION_ROOTS: tmp } });
    s3 = await startS3rver('ff-browse');
    const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    for (const [k, body] of [
      ['landing/orders.csv', 'id\n1\n'],
      ['landing/2024/notes.txt', 'n'],
      ['landing/2024/01/c.csv', 'x'],
    ])
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: k, Body: body }));
    client.destroy();
    if (azuriteInstalled) {
      azurite = await startAzurite();
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('drop');
      await container.create();
      await container.getBlockBlobClient('in/z.json').upload('{}', 2);
    }
  });

  afterAll(async () => {
    await host?.close();
    await s3?.stop();
    await azurite?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    await db?.drop();
  });

  it('browses a local connection: the root, a folder, a missing folder (404), bad paths (400 naming path)', async () => {
    const c = await create({ name: 'local-in', type: 'local', config: { path: path.join(tmp, 'in') } });
    const root = await browse(c.id);
    expect(root.status).toBe(200);
    expect(root.body).toEqual({
      path: '',
      truncated: false,
      entries: [
        { path: '2024', name: '2024', kind: 'dir', size: null, modifiedAt: expect.any(String), etag: null },
        { path: 'a.csv', name: 'a.csv', kind: 'file', size: 4, modifiedAt: expect.any(String), etag: null },
      ],
    });
    expect((await browse(c.id, '/2024/')).body).toMatchObject({ path: '2024', entries: [{ path: '2024/b.csv', kind: 'file' }] });
    expect((await browse<Problem>(c.id, 'nope')).body).toMatchObject({ status: 404, code: 'FF_LOCATION_NOT_FOUND' });
    for (const bad of ['../..', 'a\\b', 'x'.repeat(1025), 'a\u0000b', 'a\nb']) {
      const r = await browse<Problem>(c.id, bad);
      expect({ bad: bad.slice(0, 8), status: r.status, fields: r.body.errors?.map((e) => e.field) }).toEqual({
        bad: bad.slice(0, 8),
        status: 400,
        fields: ['path'],
      });
    }
    expect((await req<Problem>('GET', `/${c.id}/browse?path=a&limit=5`)).status).toBe(400); // unknown query field
  });

  it('browses an s3 connection (prefix as root, key prefixes as folders); refused, wrong-key and dead-endpoint stores are 422/502 with their code', async () => {
    const c = await create({ name: 's3-landing', type: 's3', config: s3Config() });
    const root = await browse(c.id);
    expect(root.status).toBe(200);
    expect(root.body.entries.map((e) => [e.path, e.kind, e.size])).toEqual([
      ['2024', 'dir', null],
      ['orders.csv', 'file', 5],
    ]);
    expect(root.body.entries[1]!.etag).toMatch(/^[0-9a-f]{32}$/);
    expect((await browse(c.id, '2024')).body.entries.map((e) => e.path)).toEqual(['2024/01', '2024/notes.txt']);
    expect((await browse<Problem>(c.id, 'missing')).body).toMatchObject({ status: 404, code: 'FF_LOCATION_NOT_FOUND' });

    const guarded = await create({ name: 's3-guarded', type: 's3', config: s3Config({ allowPrivateNetworks: false }) });
    expect((await browse<Problem>(guarded.id)).body).toMatchObject({ status: 422, code: 'FF_LOCATION_REFUSED', detail: expect.stringContaining('loopback') });
    const wrong = await create({ name: 's3-wrong', type: 's3', config: s3Config({ accessKeyId: 'WRONGKEY', secretAccessKey: 'browse-Wrong-secret' }) });
    expect((await browse<Problem>(wrong.id)).body).toMatchObject({ status: 502, code: 'FF_LOCATION_AUTH' });
    const dead = await create({ name: 's3-dead', type: 's3', config: s3Config({ endpoint: 'http://127.0.0.1:1' }) });
    expect((await browse<Problem>(dead.id)).body).toMatchObject({ status: 502, code: 'FF_LOCATION_UNREACHABLE' });
  });

  it('gcs: created with its secret kept write-only, tested and browsed through the XML API (s3rver as endpoint)', async () => {
    const c = await create({
      name: 'gcs-landing',
      type: 'gcs',
      config: { bucket: s3.bucket, prefix: 'landing', hmacAccessId: 'S3RVER', hmacSecret: 'S3RVER', endpoint: s3.endpoint, allowPrivateNetworks: true },
    });
    expect(c.config.hmacSecret).toEqual({ set: true });
    expect((await req<ConnectionTestResult>('POST', `/${c.id}/test`)).body).toMatchObject({ ok: true });
    expect((await browse(c.id)).body.entries.map((e) => e.path)).toEqual(['2024', 'orders.csv']);
  });

  (azuriteInstalled ? it : it.skip)('azure: tested and browsed on Azurite; a wrong key fails the test with FF_CONN_AUTH', async () => {
    const a = azurite!;
    const c = await create({
      name: 'azure-drop',
      type: 'azure',
      config: { account: a.account, container: 'drop', accountKey: a.accountKey, endpoint: a.blobEndpoint, allowPrivateNetworks: true },
    });
    expect(c.config.accountKey).toEqual({ set: true });
    expect((await req<ConnectionTestResult>('POST', `/${c.id}/test`)).body).toMatchObject({ ok: true });
    expect((await browse(c.id, 'in')).body).toMatchObject({ path: 'in', entries: [{ path: 'in/z.json', kind: 'file', size: 2 }] });
    const wrong = await create({
      name: 'azure-wrong',
      type: 'azure',
      config: {
        account: a.account,
        container: 'drop',
        accountKey: Buffer.from('azure-Wrong-key').toString('base64'),
        endpoint: a.blobEndpoint,
        allowPrivateNetworks: true,
      },
    });
    expect((await req<ConnectionTestResult>('POST', `/${wrong.id}/test`)).body).toMatchObject({ ok: false, code: 'FF_CONN_AUTH' });
    const guarded = await create({
      name: 'azure-guarded',
      type: 'azure',
      config: { account: a.account, container: 'drop', accountKey: a.accountKey, endpoint: a.blobEndpoint },
    });
    expect((await req<ConnectionTestResult>('POST', `/${guarded.id}/test`)).body).toMatchObject({ ok: false, code: 'FF_CONN_FORBIDDEN_ADDRESS' });
  });

  it('a connection that holds no files is 422 FF_LOCATION_UNSUPPORTED (postgres; http cannot list); an unknown id 404', async () => {
    const pg = await create({ name: 'pg', type: 'postgres', config: { host: 'db.example.com', database: 'd', user: 'u', password: 'pg-browse-secret' } });
    expect((await browse<Problem>(pg.id)).body).toMatchObject({ status: 422, code: 'FF_LOCATION_UNSUPPORTED', detail: expect.stringContaining('"postgres"') });
    const web = await create({ name: 'web', type: 'http', config: { baseUrl: 'https://files.example.com/drop' } });
    expect((await browse<Problem>(web.id)).body).toMatchObject({ status: 422, code: 'FF_LOCATION_UNSUPPORTED' });
    expect((await browse<Problem>('00000000-0000-4000-8000-000000000000')).body).toMatchObject({ status: 404, code: 'FF_CONNECTION_NOT_FOUND' });
  });

  it('never answers a 500 nor echoes a secret, in answers or logs', () => {
    for (const text of responses) {
      expect(text).not.toMatch(/"status":\s*500/);
      for (const secret of ['browse-Wrong-secret', 'pg-browse-secret', azurite?.accountKey ?? 'no-azurite']) expect(text).not.toContain(secret);
    }
    expect(host.rawLogs()).not.toContain('browse-Wrong-secret');
  });
});
