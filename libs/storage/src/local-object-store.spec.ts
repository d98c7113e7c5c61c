import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createObjectStore, InvalidObjectKeyError, LocalObjectStore, ObjectStoreError, S3ObjectStore } from './index';
import { collect, describeObjectStoreContract, deterministicStream } from './testing';

async function tmpRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ff-local-store-'));
}

async function allEntries(dir: string): Promise<string[]> {
  const out = await readdir(dir, { recursive: true });
  return out.map(String).sort();
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describeObjectStoreContract('local filesystem', async () => {
  const root = await tmpRoot();
  return { store: new LocalObjectStore({ root: join(root, 'lake') }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('LocalObjectStore specifics', () => {
  let root: string;
  let store: LocalObjectStore;
  beforeEach(async () => {
    root = await tmpRoot();
    store = new LocalObjectStore({ root: join(root, 'lake') });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('never reads or writes outside the root, whatever the key', async () => {
    await writeFile(join(root, 'secret.txt'), 'outside');
    for (const key of ['../secret.txt', 'a/../../secret.txt', '/etc/passwd', 'a\\..\\..\\secret.txt']) {
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.put(key, Buffer.from('pwned'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    await expect(store.delete('../secret.txt')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(await readdir(root)).toEqual(['secret.txt']); // lake/ was never even created
  });

  it('leaves no temp file after a successful or a failed streamed write', async () => {
    await store.put('t/a.bin', deterministicStream(300_000).stream);
    await expect(store.put('t/b.bin', deterministicStream(300_000, { failAfterBytes: 100_000 }).stream)).rejects.toThrow(
      /FF_OBJECT_STORE: put "t\/b\.bin" failed.*source stream failed on purpose/,
    );
    expect(await allEntries(join(root, 'lake'))).toEqual(['t', join('t', 'a.bin')]);
  });

  it('while a write is in flight the key still shows the old object and list hides the temp file', async () => {
    await store.put('w/obj', Buffer.from('old'));
    const source = new PassThrough();
    const writing = store.put('w/obj', source);
    source.write(Buffer.alloc(1000, 1));
    // Wait until the temp file exists and holds the first chunk, then look from the outside.
    let files: string[] = [];
    for (let i = 0; i < 500 && !files.some((f) => f.startsWith('.ff-tmp-obj.')); i++) {
      await new Promise((r) => setTimeout(r, 2));
      files = await readdir(join(root, 'lake', 'w'));
    }
    expect(files.some((f) => f.startsWith('.ff-tmp-obj.'))).toBe(true);
    expect((await collect(store.list('w/'))).map((o) => o.key)).toEqual(['w/obj']);
    expect((await store.head('w/obj'))?.size).toBe(3);
    expect((await readAll(await store.get('w/obj'))).toString()).toBe('old');
    source.end(Buffer.alloc(500, 2));
    await expect(writing).resolves.toMatchObject({ size: 1500 });
    expect((await store.head('w/obj'))?.size).toBe(1500);
    expect(await readdir(join(root, 'lake', 'w'))).toEqual(['obj']);
  });

  it('prunes directories emptied by delete but never the root', async () => {
    await store.put('x/y/z/file', Buffer.from('1'));
    await store.put('x/keep', Buffer.from('2'));
    await store.delete('x/y/z/file');
    expect(await allEntries(join(root, 'lake'))).toEqual(['x', join('x', 'keep')]);
    await store.delete('x/keep');
    expect(await readdir(join(root, 'lake'))).toEqual([]);
  });

  it('ignores stray temp files left by a crash when listing', async () => {
    await store.put('c/real', Buffer.from('r'));
    await writeFile(join(root, 'lake', 'c', '.ff-tmp-real.abc123'), 'partial');
    await mkdir(join(root, 'lake', 'c', 'sub'), { recursive: true }); // empty dir: not an object
    expect((await collect(store.list('c/'))).map((o) => o.key)).toEqual(['c/real']);
  });

  it('a key below an existing object is "missing" for reads and a clear error for writes', async () => {
    await store.put('f/a', Buffer.from('file'));
    expect(await store.head('f/a/b')).toBeNull();
    await expect(store.get('f/a/b')).rejects.toMatchObject({ code: 'FF_OBJECT_NOT_FOUND', key: 'f/a/b' });
    await expect(store.put('f/a/b', Buffer.from('x'))).rejects.toMatchObject({ code: 'FF_OBJECT_STORE' });
  });
});

describe('createObjectStore', () => {
  it('selects the adapter from the config kind', () => {
    expect(createObjectStore({ kind: 'local', root: '/tmp/ff-lake' })).toBeInstanceOf(LocalObjectStore);
    expect(createObjectStore({ kind: 's3', bucket: 'b', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' } })).toBeInstanceOf(
      S3ObjectStore,
    );
  });

  it('rejects unknown kinds and bad S3 settings with FF_OBJECT_STORE_CONFIG', () => {
    expect(() => createObjectStore({ kind: 'gcs' } as never)).toThrow(/FF_OBJECT_STORE_CONFIG: unknown object store kind "gcs"/);
    expect(() => createObjectStore({ kind: 's3', bucket: 'b', region: 'r', partSize: 1024 })).toThrow(ObjectStoreError);
    expect(() => createObjectStore({ kind: 's3', bucket: 'b', region: 'r', partSize: 1024 })).toThrow(/partSize.*5 MiB/);
    expect(() => createObjectStore({ kind: 's3', bucket: '', region: 'r' })).toThrow(/"bucket" is required/);
    expect(() => createObjectStore({ kind: 's3', bucket: 'b', region: 'r', listPageSize: 5000 })).toThrow(/listPageSize/);
  });
});
