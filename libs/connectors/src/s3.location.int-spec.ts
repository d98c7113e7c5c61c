import type { Agent } from 'node:http';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { deterministicStream, hashStream, startS3rver, type S3rverHandle } from '@flowforge/storage/testing';
import { selectFiles } from './file-selection';
import { gcsLocation } from './gcs.location';
import { openLocation } from './location.factory';
import type { FileLocation } from './location.port';
import { S3Location } from './s3.location';

const MIB = 1024 * 1024;

/**
 * The s3 location, and gcs (GCS's XML API is the S3 protocol with HMAC keys), against s3rver: a real
 * S3-compatible server on loopback. No GCS emulator runs on this machine; the gcs location is the s3 one
 * pointed at another endpoint, so the same server proves it.
 */
describe('S3Location and the gcs location (s3rver)', () => {
  let server: S3rverHandle;
  let client: S3Client;
  const opened: FileLocation[] = [];

  const put = (key: string, body: string | Buffer) => client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
  const s3 = (extra: Record<string, unknown> = {}) => {
    const loc = openLocation(
      's3',
      {
        bucket: server.bucket,
        region: server.region,
        endpoint: server.endpoint,
        forcePathStyle: true,
        accessKeyId: server.credentials.accessKeyId,
        secretAccessKey: server.credentials.secretAccessKey,
        prefix: 'landing/in',
        allowPrivateNetworks: true,
        ...extra,
      },
      { localPolicy: { roots: [], guarded: [], notAbove: [] } },
    );
    opened.push(loc);
    return loc;
  };

  beforeAll(async () => {
    server = await startS3rver('ff-loc-s3');
    client = new S3Client({ region: server.region, endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
    await put('landing/in/a.csv', 'x\n1\n');
    await put('landing/in/b.json', '{}');
    // s3rver reports a common prefix only for keys one folder below the listed one (it prunes its directory
    // walk deeper): 2024/notes.txt makes "2024/" appear at the top as S3 itself would without it.
    await put('landing/in/2024/notes.txt', 'n');
    await put('landing/in/2024/01/c.csv', 'x\n2\n');
    await put('landing/in/2024/02/d.csv', 'x\n3\n');
    await put('landing/in-other/not-mine.csv', 'no');
    await put('outside.csv', 'no');
  });
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    client?.destroy();
    await server?.stop();
  });

  it('tests, lists a folder (prefixes as folders, sorted, sizes and ETags), stats and streams a file', async () => {
    const loc = s3();
    expect(loc).toBeInstanceOf(S3Location);
    await loc.test();
    const { entries, truncated } = await loc.list('');
    expect(truncated).toBe(false);
    // Only keys under "landing/in/": not "landing/in-other/" which shares the text prefix.
    expect(entries.map((e) => [e.path, e.kind, e.size])).toEqual([
      ['2024', 'dir', null],
      ['a.csv', 'file', 4],
      ['b.json', 'file', 2],
    ]);
    expect(entries[1]!.etag).toMatch(/^[0-9a-f]{32}$/);
    expect((await loc.list('2024')).entries.map((e) => e.path)).toEqual(['2024/01', '2024/02', '2024/notes.txt']);
    const st = await loc.stat('2024/01/c.csv');
    expect(st).toMatchObject({ path: '2024/01/c.csv', name: 'c.csv', kind: 'file', size: 4, etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(Date.parse(st!.modifiedAt!)).toBeGreaterThan(Date.now() - 600_000);
    expect(await text(await loc.open('2024/01/c.csv'))).toBe('x\n2\n');
    expect(await loc.stat('missing.csv')).toBeNull();
    expect(await loc.stat('2024')).toBeNull(); // a folder is not a file
    // The SDK's sockets are the guarded agents' (network-guard.ts), not its own: the guard sees every connection.
    const { httpAgent } = (loc as unknown as { agents: { httpAgent: Agent } }).agents;
    expect(Object.keys(httpAgent.freeSockets).length + Object.keys(httpAgent.sockets).length).toBeGreaterThan(0);
  });

  it('pages and truncates listings at the limit', async () => {
    for (let i = 0; i < 7; i++) await put(`landing/many/f${i}.txt`, String(i));
    const loc = s3({ prefix: 'landing/many' });
    const first = await loc.list('', { limit: 5 });
    expect({ n: first.entries.length, truncated: first.truncated }).toEqual({ n: 5, truncated: true });
    expect((await loc.list('', { limit: 7 })).truncated).toBe(false);
  });

  it('selects by glob and regex through selectFiles', async () => {
    const loc = s3();
    expect((await selectFiles(loc, { kind: 'glob', glob: '**/*.csv' })).map((e) => e.path)).toEqual(['2024/01/c.csv', '2024/02/d.csv', 'a.csv']);
    expect((await selectFiles(loc, { kind: 'glob', glob: '2024/*/*.csv' })).map((e) => e.path)).toEqual(['2024/01/c.csv', '2024/02/d.csv']);
    expect((await selectFiles(loc, { kind: 'regex', regex: '^2024/02/' })).map((e) => e.path)).toEqual(['2024/02/d.csv']);
    expect(await selectFiles(loc, { kind: 'glob', glob: 'nowhere/*.csv' })).toEqual([]);
  });

  it('archives (copy, move) and deletes; a missing file and folder are FF_LOCATION_NOT_FOUND', async () => {
    await put('landing/in/e.csv', 'x\n5\n');
    const loc = s3();
    await loc.archive('e.csv', 'done/e.csv', { move: false });
    expect(await loc.stat('e.csv')).not.toBeNull();
    await loc.archive('e.csv', 'done/2/e v2.csv', { move: true });
    expect(await loc.stat('e.csv')).toBeNull();
    expect(await text(await loc.open('done/2/e v2.csv'))).toBe('x\n5\n');
    await loc.delete('done/2/e v2.csv');
    await loc.delete('done/2/e v2.csv'); // missing: not an error
    expect(await loc.stat('done/2/e v2.csv')).toBeNull();
    await expect(loc.open('missing.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND', retryable: false });
    await expect(loc.list('no-such-folder')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await expect(loc.archive('missing.csv', 'done/x.csv', { move: true })).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
  });

  it('streams a 5 MiB object without buffering it (sha256 compared)', async () => {
    const src = deterministicStream(5 * MIB, { seed: 7 });
    const chunks: Buffer[] = [];
    for await (const c of src.stream) chunks.push(c as Buffer);
    await put('landing/in/big.bin', Buffer.concat(chunks));
    const loc = s3();
    expect((await loc.stat('big.bin'))?.size).toBe(5 * MIB);
    const stream = await loc.open('big.bin');
    expect(typeof stream.pipe).toBe('function');
    expect(await hashStream(stream)).toEqual({ sha256: src.sha256(), size: 5 * MIB });
  });

  it('writes (one put under 8 MiB, multipart above), reads back equal, with the content type; creates no folder objects', async () => {
    const loc = s3();
    const small = deterministicStream(MIB + 5, { seed: 21 });
    expect(await loc.write('out/2024/small.bin', small.stream, { contentType: 'application/vnd.apache.parquet' })).toEqual({ bytes: MIB + 5 });
    expect(await hashStream(await loc.open('out/2024/small.bin'))).toEqual({ sha256: small.sha256(), size: MIB + 5 });
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: 'landing/in/out/2024/small.bin' }));
    expect(head.ContentType).toBe('application/vnd.apache.parquet');
    // 9 MiB: two parts of a multipart upload (8 MiB each at most).
    const large = deterministicStream(9 * MIB, { seed: 22 });
    expect(await loc.write('out/large.bin', large.stream)).toEqual({ bytes: 9 * MIB });
    expect(await hashStream(await loc.open('out/large.bin'))).toEqual({ sha256: large.sha256(), size: 9 * MIB });
    expect(await loc.write('out/empty.csv', Readable.from([]))).toEqual({ bytes: 0 });
    expect(await loc.stat('out/empty.csv')).toMatchObject({ size: 0 });
    const keys = (await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: 'landing/in/out/' }))).Contents?.map((o) => o.Key);
    expect(keys).toEqual(['landing/in/out/2024/small.bin', 'landing/in/out/empty.csv', 'landing/in/out/large.bin']);
  });

  it('replaces an object by default; overwrite: false refuses an existing one with FF_LOCATION_EXISTS and keeps it', async () => {
    const loc = s3();
    await loc.write('out/r.csv', Readable.from(['x\n1\n']));
    await loc.write('out/r.csv', Readable.from(['x\n2\n']));
    expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
    const body = Readable.from(['x\n3\n']);
    const err = await loc.write('out/r.csv', body, { overwrite: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_EXISTS', retryable: false, message: expect.stringContaining('out/r.csv') });
    expect(body.destroyed).toBe(true);
    expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
    expect(await loc.write('out/fresh.csv', Readable.from(['f']), { overwrite: false })).toEqual({ bytes: 1 });
    await expect(loc.write('../outside.csv', Readable.from(['no']))).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.write('', Readable.from(['no']))).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
  });

  it('a body failing midway leaves nothing at the key (in the first part, and after a part of a multipart upload was sent)', async () => {
    const loc = s3();
    const keysUnder = async (prefix: string) =>
      ((await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);
    for (const [name, size, failAt] of [
      ['early.bin', 2 * MIB, MIB],
      ['late.bin', 10 * MIB, 9 * MIB],
    ] as const) {
      const err = await loc.write(`failed/${name}`, deterministicStream(size, { seed: 23, failAfterBytes: failAt }).stream).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining(`failed/${name}`) });
      expect((err as Error).message).toContain('source stream failed on purpose');
      expect(await loc.stat(`failed/${name}`)).toBeNull();
    }
    expect(await keysUnder('landing/in/failed/')).toEqual([]);
    // An existing object stays as it was.
    await loc.write('failed/keep.csv', Readable.from(['kept']));
    await expect(loc.write('failed/keep.csv', deterministicStream(2 * MIB, { failAfterBytes: MIB }).stream)).rejects.toMatchObject({
      code: 'FF_LOCATION_FAILED',
    });
    expect(await text(await loc.open('failed/keep.csv'))).toBe('kept');
    // An abort once a first part/block has gone (9 MiB pulled): retryable FF_LOCATION_FAILED, nothing at the path.
    const ac = new AbortController();
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 256 * 1024;
        if (sent >= 9 * MIB && !ac.signal.aborted) ac.abort();
        this.push(Buffer.alloc(256 * 1024, 1));
      },
    });
    await expect(loc.write('failed/aborted.bin', endless, { signal: ac.signal })).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED', retryable: true });
    expect(endless.destroyed).toBe(true);
    expect(await loc.stat('failed/aborted.bin')).toBeNull();
    // Without allowPrivateNetworks the write is refused before a byte leaves.
    await expect(s3({ allowPrivateNetworks: false }).write('failed/x.csv', Readable.from(['x']))).rejects.toMatchObject({
      code: 'FF_LOCATION_REFUSED',
      message: expect.stringContaining('failed/x.csv'),
    });
    const wrong = await s3({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong-Secret-value' })
      .write('failed/y.csv', Readable.from(['y']))
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'FF_LOCATION_AUTH', message: expect.stringContaining('failed/y.csv') });
    expect((wrong as Error).message).not.toContain('wrong-Secret-value');
    expect(await keysUnder('landing/in/failed/')).toEqual(['landing/in/failed/keep.csv']);
  });

  it('refuses ".." and control characters before any request; wrong keys are FF_LOCATION_AUTH; a missing bucket FF_LOCATION_NOT_FOUND', async () => {
    const loc = s3();
    await expect(loc.open('../outside.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.list('a/../../x')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.stat('a\u0000b')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    const wrong = s3({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong-Secret-value' });
    const err = await wrong.test().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_AUTH', retryable: false });
    expect((err as Error).message).not.toContain('wrong-Secret-value');
    await expect(s3({ bucket: 'no-such-bucket' }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
  });

  it("without keys sends anonymous requests, never signed with the process's own AWS identity", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    // Were the SDK's default chain used, this key would sign the request and s3rver refuse it (InvalidAccessKeyId).
    process.env.AWS_ACCESS_KEY_ID = 'PROCESS-KEY-NOT-FOR-CONNECTIONS';
    process.env.AWS_SECRET_ACCESS_KEY = 'process-Secret-value';
    try {
      const anonymous = s3({ accessKeyId: undefined, secretAccessKey: undefined });
      await anonymous.test();
      expect(await text(await anonymous.open('a.csv'))).toBe('x\n1\n');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('refuses the loopback endpoint unless allowPrivateNetworks (FF_LOCATION_REFUSED), and a dead port is FF_LOCATION_UNREACHABLE', async () => {
    const refused = s3({ allowPrivateNetworks: false });
    await expect(refused.test()).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED', message: expect.stringContaining('loopback address') });
    await expect(refused.open('a.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(s3({ endpoint: 'http://169.254.169.254', allowPrivateNetworks: false }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    // A port nothing listens on (s3rver's own, once another server is stopped, would race: port 1 is never served).
    await expect(s3({ endpoint: 'http://127.0.0.1:1' }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE', retryable: true });
  });

  it('gcs: the XML API with HMAC keys, endpoint set; refused without allowPrivateNetworks, wrong HMAC secret is FF_LOCATION_AUTH', async () => {
    const gcs = (extra: Record<string, unknown> = {}) => {
      const loc = openLocation(
        'gcs',
        {
          bucket: server.bucket,
          prefix: 'landing/in',
          hmacAccessId: server.credentials.accessKeyId,
          hmacSecret: server.credentials.secretAccessKey,
          endpoint: server.endpoint,
          allowPrivateNetworks: true,
          ...extra,
        },
        { localPolicy: { roots: [], guarded: [], notAbove: [] } },
      );
      opened.push(loc);
      return loc;
    };
    const loc = gcs();
    expect(loc.type).toBe('gcs');
    await loc.test();
    expect((await loc.list('2024')).entries.map((e) => e.path)).toEqual(['2024/01', '2024/02', '2024/notes.txt']);
    expect(await text(await loc.open('a.csv'))).toBe('x\n1\n');
    expect(await loc.write('gcs-out/w.csv', Readable.from(['g\n']), { contentType: 'text/csv' })).toEqual({ bytes: 2 });
    expect(await text(await loc.open('gcs-out/w.csv'))).toBe('g\n');
    await expect(loc.write('gcs-out/w.csv', Readable.from(['h\n']), { overwrite: false })).rejects.toMatchObject({ code: 'FF_LOCATION_EXISTS' });
    await expect(gcs({ allowPrivateNetworks: false }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    const err = await gcs({ hmacAccessId: 'GOOG1WRONG', hmacSecret: 'wrong-Hmac-secret' })
      .test()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_AUTH' });
    expect((err as Error).message).toContain('Google Cloud Storage');
    expect((err as Error).message).not.toContain('wrong-Hmac-secret');
    // Without an endpoint it is Google's (refused here only if the name resolves to a private address: not asserted).
    expect(gcsLocation({ bucket: 'b', hmacAccessId: 'a', hmacSecret: 's' }).type).toBe('gcs');
  });
});
