import { S3Client } from '@aws-sdk/client-s3';
import { createServer } from 'node:net';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store';
import { ObjectStoreError } from './object-store.errors';
import { collect, deterministicStream, describeObjectStoreContract, hashStream, startS3rver, type S3rverHandle } from './testing';

const MIB = 1024 * 1024;
// Production default (SDK flexible checksums); FF_TEST_S3_CHECKSUMS=when_required tries the other mode.
const CHECKSUMS = (process.env.FF_TEST_S3_CHECKSUMS as S3ObjectStoreConfig['checksums']) ?? 'when_supported';

let server: S3rverHandle;
let run = 0;

beforeAll(async () => {
  server = await startS3rver('ff-lake');
});
afterAll(async () => {
  await server?.stop();
});

function baseConfig(): S3ObjectStoreConfig {
  return {
    bucket: server.bucket,
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    checksums: CHECKSUMS,
    maxAttempts: 1,
    // s3rver's DeleteObjects deletes keys concurrently and its empty-directory pruning races with
    // itself (ENOENT → HTTP 500); one DeleteObject per key avoids the race. Real S3 uses batches of 1000.
    deleteBatchSize: 1,
  };
}

/** Client that records the command name of every request it sends. */
function recordingClient(): { client: S3Client; commands: string[] } {
  const commands: string[] = [];
  const c = baseConfig();
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: true,
    credentials: c.credentials,
    maxAttempts: 1,
    requestChecksumCalculation: CHECKSUMS === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: CHECKSUMS === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'ffRecordCommands' },
  );
  return { client, commands };
}

async function emptyPrefix(store: S3ObjectStore): Promise<void> {
  const keys = (await collect(store.list(''))).map((o) => o.key);
  await store.deleteMany(keys);
}

// Every test gets its own key prefix in one bucket: isolation without restarting the server.
describeObjectStoreContract(
  's3 (s3rver)',
  async () => {
    const store = new S3ObjectStore({
      ...baseConfig(),
      prefix: `contract-${++run}/`,
      partSize: 5 * MIB,
      queueSize: 1,
      listPageSize: 7, // forces several ListObjectsV2 pages in the pagination case
    });
    return {
      store,
      cleanup: async () => {
        await emptyPrefix(store);
        store.client.destroy();
      },
    };
  },
  // s3rver lists in directory-walk order ('p/a/b' before 'p/a-c'); real S3 and MinIO use byte order.
  { paginationObjects: 25, listsInByteOrderAcrossSlash: false },
);

describe('S3ObjectStore against s3rver', () => {
  it('uploads a large stream with multipart (5 MiB parts) and lists across pages', async () => {
    const { client, commands } = recordingClient();
    const store = new S3ObjectStore({ ...baseConfig(), client, prefix: 'mp/', partSize: 5 * MIB, listPageSize: 2 });
    const source = deterministicStream(12 * MIB, { seed: 3 });
    await store.put('big.bin', source.stream);
    expect(commands.filter((c) => c === 'CreateMultipartUploadCommand')).toHaveLength(1);
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3); // 5 + 5 + 2 MiB
    expect(commands.filter((c) => c === 'CompleteMultipartUploadCommand')).toHaveLength(1);
    expect(commands).not.toContain('PutObjectCommand');
    expect((await hashStream(await store.get('big.bin'))).sha256).toBe(source.sha256());

    for (const k of ['l/1', 'l/2', 'l/3', 'l/4', 'l/5']) await store.put(k, Buffer.from(k));
    commands.length = 0;
    expect((await collect(store.list('l/'))).map((o) => o.key)).toEqual(['l/1', 'l/2', 'l/3', 'l/4', 'l/5']);
    expect(commands.filter((c) => c === 'ListObjectsV2Command')).toHaveLength(3);
    await emptyPrefix(store);
    client.destroy();
  }, 60_000);

  it('aborts the multipart upload when the source fails and reports the source error as cause', async () => {
    const { client, commands } = recordingClient();
    const store = new S3ObjectStore({ ...baseConfig(), client, prefix: 'abort/', partSize: 5 * MIB, queueSize: 1 });
    const source = deterministicStream(12 * MIB, { failAfterBytes: 6 * MIB });
    const err = await store.put('x.bin', source.stream).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect((err as ObjectStoreError).code).toBe('FF_OBJECT_STORE');
    expect((err as Error).message).toMatch(/put "x\.bin" failed on bucket "ff-lake"/);
    expect(String(((err as Error).cause as Error)?.message)).toMatch(/source stream failed on purpose/);
    expect(commands).toContain('CreateMultipartUploadCommand');
    expect(commands).not.toContain('CompleteMultipartUploadCommand');
    expect(commands).toContain('AbortMultipartUploadCommand'); // attempted; s3rver answers MethodNotAllowed
    expect(await store.head('x.bin')).toBeNull();
    client.destroy();
  }, 60_000);

  it('maps a missing bucket to FF_OBJECT_STORE naming the bucket and the S3 code', async () => {
    const store = new S3ObjectStore({ ...baseConfig(), bucket: 'no-such-bucket' });
    const err = await collect(store.list('')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'FF_OBJECT_STORE' });
    expect((err as Error).message).toContain('bucket "no-such-bucket"');
    expect((err as Error).message).toContain('NoSuchBucket');
    store.client.destroy();
  });

  it('maps rejected credentials to FF_OBJECT_STORE_AUTH without echoing the secret', async () => {
    const secret = 'super-secret-value-123';
    const store = new S3ObjectStore({ ...baseConfig(), credentials: { accessKeyId: 'WRONGKEY', secretAccessKey: secret } });
    const err = await store.put('a', Buffer.from('x')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'FF_OBJECT_STORE_AUTH' });
    expect((err as Error).message).toContain('bucket "ff-lake"');
    expect((err as Error).message).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
    store.client.destroy();
  });

  it('fails fast with FF_OBJECT_STORE_UNREACHABLE naming bucket and endpoint when nothing listens', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const store = new S3ObjectStore({ ...baseConfig(), endpoint, maxAttempts: 1, connectionTimeoutMs: 1000 });
    const started = Date.now();
    const err = await store.head('bronze/x.parquet').then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect((err as ObjectStoreError).code).toBe('FF_OBJECT_STORE_UNREACHABLE');
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).toContain('bucket "ff-lake"');
    expect((err as Error).message).toContain(endpoint);
    expect((err as Error).message).toContain('bronze/x.parquet');
    expect((err as Error).message).not.toContain(server.credentials.secretAccessKey + ':');
    store.client.destroy();
  });
});

/** A port that was free a moment ago and now has no listener: connect() gets ECONNREFUSED. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
