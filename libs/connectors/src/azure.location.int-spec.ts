import type { Agent } from 'node:http';
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { requireAzurite, startAzurite, type AzuriteHandle } from '@flowforge/testing';
import { deterministicStream, hashStream } from '@flowforge/storage/testing';
import { AzureBlobLocation } from './azure.location';
import { selectFiles } from './file-selection';
import { openLocation } from './location.factory';
import type { FileLocation } from './location.port';

const MIB = 1024 * 1024;
const run = requireAzurite('azure location (Azurite)');

/** The azure location against Azurite, the Azure Blob Storage emulator, on loopback. */
(run ? describe : describe.skip)('AzureBlobLocation (Azurite)', () => {
  let azurite: AzuriteHandle;
  let service: BlobServiceClient;
  const opened: FileLocation[] = [];
  const ctx = { localPolicy: { roots: [], guarded: [], notAbove: [] } };

  const put = (name: string, body: string | Buffer) => service.getContainerClient('landing').getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
  const azure = (extra: Record<string, unknown> = {}) => {
    const loc = openLocation(
      'azure',
      {
        account: azurite.account,
        container: 'landing',
        prefix: 'in',
        accountKey: azurite.accountKey,
        endpoint: azurite.blobEndpoint,
        allowPrivateNetworks: true,
        ...extra,
      },
      ctx,
    );
    opened.push(loc);
    return loc;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await service.getContainerClient('landing').create();
    await put('in/a.csv', 'x\n1\n');
    await put('in/b.json', '{}');
    await put('in/2024/01/c.csv', 'x\n2\n');
    await put('in/2024/02/d.csv', 'x\n3\n');
    await put('in-other/not-mine.csv', 'no');
  });
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await azurite?.stop();
  });

  it('tests, lists (prefixes as folders), stats and streams with an account key', async () => {
    const loc = azure();
    expect(loc).toBeInstanceOf(AzureBlobLocation);
    await loc.test();
    const { entries, truncated } = await loc.list('');
    expect(truncated).toBe(false);
    expect(entries.map((e) => [e.path, e.kind, e.size])).toEqual([
      ['2024', 'dir', null],
      ['a.csv', 'file', 4],
      ['b.json', 'file', 2],
    ]);
    expect((await loc.list('2024')).entries.map((e) => e.path)).toEqual(['2024/01', '2024/02']);
    const st = await loc.stat('2024/01/c.csv');
    expect(st).toMatchObject({ path: '2024/01/c.csv', name: 'c.csv', kind: 'file', size: 4, etag: expect.any(String) });
    expect(Date.parse(st!.modifiedAt!)).toBeGreaterThan(Date.now() - 600_000);
    expect(await text(await loc.open('2024/01/c.csv'))).toBe('x\n2\n');
    expect(await loc.stat('missing.csv')).toBeNull();
    expect((await selectFiles(loc, { kind: 'glob', glob: '**/*.csv' })).map((e) => e.path)).toEqual(['2024/01/c.csv', '2024/02/d.csv', 'a.csv']);
    // The SDK's sockets are the guarded agents' (network-guard.ts), not its own: the guard sees every connection.
    const { httpAgent } = (loc as unknown as { agents: { httpAgent: Agent } }).agents;
    expect(Object.keys(httpAgent.freeSockets).length + Object.keys(httpAgent.sockets).length).toBeGreaterThan(0);
    const limited = await loc.list('', { limit: 2 });
    expect({ n: limited.entries.length, truncated: limited.truncated }).toEqual({ n: 2, truncated: true });
  });

  it('authenticates with a connection string and with a SAS token; a wrong key is FF_LOCATION_AUTH without the key in the message', async () => {
    const byString = azure({ accountKey: undefined, endpoint: undefined, connectionString: azurite.connectionString });
    await byString.test();
    expect((await byString.list('')).entries.map((e) => e.path)).toEqual(['2024', 'a.csv', 'b.json']);
    const sas = generateBlobSASQueryParameters(
      { containerName: 'landing', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(azurite.account, azurite.accountKey),
    ).toString();
    const bySas = azure({ accountKey: undefined, sasToken: sas });
    await bySas.test();
    expect(await text(await bySas.open('a.csv'))).toBe('x\n1\n');
    // Read and list only: the SAS refuses a delete and a write.
    await expect(bySas.delete('a.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
    await expect(bySas.write('sas/w.csv', Readable.from(['w']))).rejects.toMatchObject({
      code: 'FF_LOCATION_AUTH',
      message: expect.stringContaining('sas/w.csv'),
    });
    expect(await bySas.stat('sas/w.csv')).toBeNull();
    expect(() => azure({ accountKey: undefined, endpoint: undefined, connectionString: 'AccountName=x;BlobEndpoint=http://h/x' })).toThrow(
      expect.objectContaining({ code: 'FF_LOCATION_AUTH', message: expect.stringContaining('neither AccountKey nor SharedAccessSignature') }),
    );
    expect(() => azure({ accountKey: undefined, endpoint: undefined, connectionString: 'AccountKey=a2V5;BlobEndpoint=ftp://h/x' })).toThrow(
      expect.objectContaining({ code: 'FF_LOCATION_FAILED', message: expect.not.stringContaining('ftp://') }),
    );
    const wrongKey = Buffer.from('wrong-Account-key-value-0123456789').toString('base64');
    const err = await azure({ accountKey: wrongKey })
      .test()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_AUTH', retryable: false });
    expect((err as Error).message).not.toContain(wrongKey);
  });

  it('archives (copy, move) and deletes; missing blob, folder and container are FF_LOCATION_NOT_FOUND', async () => {
    await put('in/e.csv', 'x\n5\n');
    const loc = azure();
    await loc.archive('e.csv', 'done/e.csv', { move: false });
    expect(await loc.stat('e.csv')).not.toBeNull();
    await loc.archive('e.csv', 'done/2/e v2.csv', { move: true });
    expect(await loc.stat('e.csv')).toBeNull();
    expect(await text(await loc.open('done/2/e v2.csv'))).toBe('x\n5\n');
    await loc.delete('done/2/e v2.csv');
    await loc.delete('done/2/e v2.csv'); // missing: not an error
    expect(await loc.stat('done/2/e v2.csv')).toBeNull();
    await expect(loc.open('missing.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await expect(loc.list('no-such-folder')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await expect(azure({ container: 'no-such-container' }).test()).rejects.toMatchObject({
      code: 'FF_LOCATION_NOT_FOUND',
      message: expect.stringContaining('no-such-container'),
    });
  });

  it('streams a 5 MiB blob (sha256 compared)', async () => {
    const src = deterministicStream(5 * MIB, { seed: 11 });
    const chunks: Buffer[] = [];
    for await (const c of src.stream) chunks.push(c as Buffer);
    await put('in/big.bin', Buffer.concat(chunks));
    const loc = azure();
    expect((await loc.stat('big.bin'))?.size).toBe(5 * MIB);
    expect(await hashStream(await loc.open('big.bin'))).toEqual({ sha256: src.sha256(), size: 5 * MIB });
  });

  it('writes (blocks staged, then committed), reads back equal, with the content type; replaces by default; overwrite: false is FF_LOCATION_EXISTS', async () => {
    const loc = azure();
    // 9 MiB: two blocks of 8 MiB at most.
    const src = deterministicStream(9 * MIB, { seed: 31 });
    expect(await loc.write('out/2024/big.bin', src.stream, { contentType: 'application/vnd.apache.parquet' })).toEqual({ bytes: 9 * MIB });
    expect(await hashStream(await loc.open('out/2024/big.bin'))).toEqual({ sha256: src.sha256(), size: 9 * MIB });
    const props = await service.getContainerClient('landing').getBlobClient('in/out/2024/big.bin').getProperties();
    expect(props.contentType).toBe('application/vnd.apache.parquet');
    await loc.write('out/r.csv', Readable.from(['x\n1\n']));
    await loc.write('out/r.csv', Readable.from(['x\n2\n']));
    expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
    await expect(loc.write('out/r.csv', Readable.from(['x\n3\n']), { overwrite: false })).rejects.toMatchObject({
      code: 'FF_LOCATION_EXISTS',
      message: expect.stringContaining('out/r.csv'),
    });
    expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
    expect(await loc.write('out/empty.csv', Readable.from([]), { overwrite: false })).toEqual({ bytes: 0 });
    await expect(loc.write('../in-other/x.csv', Readable.from(['no']))).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    // Another writer puts the blob while ours streams (after the check made before): the commit's If-None-Match refuses ours.
    let sent = 0;
    const racing = new Readable({
      read() {
        if (sent >= 2 * MIB) return void this.push(null);
        sent += 64 * 1024;
        const chunk = Buffer.alloc(64 * 1024, 2);
        if (sent === MIB) void put('in/out/race.csv', 'theirs').then(() => this.push(chunk));
        else this.push(chunk);
      },
    });
    await expect(loc.write('out/race.csv', racing, { overwrite: false })).rejects.toMatchObject({ code: 'FF_LOCATION_EXISTS' });
    expect(await text(await loc.open('out/race.csv'))).toBe('theirs');
  });

  it('a body failing midway leaves nothing at the path (a new blob, and an existing one kept as it was)', async () => {
    const loc = azure();
    for (const [name, size, failAt] of [
      ['early.bin', 2 * MIB, MIB],
      ['late.bin', 10 * MIB, 9 * MIB],
    ] as const) {
      const err = await loc.write(`failed/${name}`, deterministicStream(size, { seed: 32, failAfterBytes: failAt }).stream).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining(`failed/${name}`) });
      expect((err as Error).message).toContain('source stream failed on purpose');
    }
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
    await expect(azure({ allowPrivateNetworks: false }).write('failed/x.csv', Readable.from(['x']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    expect((await loc.list('failed')).entries.map((e) => e.name)).toEqual(['keep.csv']);
  });

  it('refuses ".." before any request, the loopback endpoint without allowPrivateNetworks, and a dead port is FF_LOCATION_UNREACHABLE', async () => {
    const loc = azure();
    await expect(loc.open('../in-other/not-mine.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    const refused = azure({ allowPrivateNetworks: false });
    await expect(refused.test()).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED', message: expect.stringContaining('loopback address') });
    await expect(refused.open('a.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(azure({ endpoint: 'http://127.0.0.1:1/devstoreaccount1' }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE' });
  });
});
