import { Readable } from 'node:stream';
import { InvalidObjectKeyError, ObjectNotFoundError, ObjectStoreError } from '../object-store.errors';
import type { ObjectInfo, ObjectStore } from '../object-store.port';
import { deterministicStream, hashStream } from './deterministic-stream';

export interface ObjectStoreFixture {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

export interface ObjectStoreContractOptions {
  /** Size of the streamed upload; ≥ 2 parts on S3 with 5 MiB parts. Default 12 MiB. */
  largeObjectBytes?: number;
  /** Where the failing source stream dies; past the first part so S3 is mid-multipart. Default 6 MiB. */
  failAfterBytes?: number;
  /** Objects written for the pagination case; adapters set a small page size so this spans pages. */
  paginationObjects?: number;
  /**
   * Default true: keys sort by UTF-8 bytes, so 'p/a-c' < 'p/a/b' ('-' < '/'). Set false only for a
   * test server known to list in directory-walk order (s3rver); the case then checks the set of keys only.
   */
  listsInByteOrderAcrossSlash?: boolean;
}

const MIB = 1024 * 1024;

/**
 * One suite for the `ObjectStore` port, run once per adapter (the Kestra JdbcQueueTest pattern), so
 * local mode and S3 cannot drift apart. `makeStore` is called per test and must return an empty store.
 *
 * Key policy under test: '', '/abs', '../x', 'a/../b', './a', 'a//b', 'a/', NUL, backslash and the
 * reserved '.ff-tmp-' segment are all rejected with FF_OBJECT_KEY, by every operation, before any I/O.
 */
export function describeObjectStoreContract(name: string, makeStore: () => Promise<ObjectStoreFixture>, options: ObjectStoreContractOptions = {}): void {
  const largeBytes = options.largeObjectBytes ?? 12 * MIB;
  const failAfter = options.failAfterBytes ?? 6 * MIB;
  const paginationObjects = options.paginationObjects ?? 25;
  const slashOrder = options.listsInByteOrderAcrossSlash ?? true;

  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });

    it('round-trips a Buffer body and reports its size', async () => {
      const body = Buffer.from('hello lake\n');
      const res = await store.put('bronze/t/a.txt', body, { contentType: 'text/plain' });
      expect(res).toMatchObject({ key: 'bronze/t/a.txt', size: body.length });
      expect(await readAll(await store.get('bronze/t/a.txt'))).toEqual(body);
    });

    it('round-trips a stream body', async () => {
      const chunks = ['part-1|', 'part-2|', 'é-ü-√|'].map((s) => Buffer.from(s));
      const res = await store.put('bronze/t/s.bin', Readable.from(chunks));
      expect(res.size).toBe(Buffer.concat(chunks).length);
      expect(await readAll(await store.get('bronze/t/s.bin'))).toEqual(Buffer.concat(chunks));
    });

    it('round-trips an empty body', async () => {
      await store.put('e/empty', Buffer.alloc(0));
      expect((await store.head('e/empty'))?.size).toBe(0);
      expect((await readAll(await store.get('e/empty'))).length).toBe(0);
    });

    it('overwrites an existing key with the new body', async () => {
      await store.put('k/o', Buffer.from('first version, longer'));
      await store.put('k/o', Buffer.from('second'));
      expect((await readAll(await store.get('k/o'))).toString()).toBe('second');
      expect((await store.head('k/o'))?.size).toBe(6);
    });

    it('head returns null for a missing key and metadata for an existing one', async () => {
      expect(await store.head('nope/missing.parquet')).toBeNull();
      const before = Date.now();
      await store.put('yes/here.parquet', Buffer.from('12345'));
      const info = await store.head('yes/here.parquet');
      expect(info).not.toBeNull();
      expect(info!.key).toBe('yes/here.parquet');
      expect(info!.size).toBe(5);
      expect(info!.lastModified).toBeInstanceOf(Date);
      // Second-granularity clocks (S3 Last-Modified) round down; allow skew of a few seconds.
      expect(Math.abs(info!.lastModified.getTime() - before)).toBeLessThan(10_000);
    });

    it('get of a missing key rejects with ObjectNotFoundError naming the key', async () => {
      const err = await store.get('silver/none/part-0.parquet').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ObjectNotFoundError);
      expect((err as ObjectNotFoundError).code).toBe('FF_OBJECT_NOT_FOUND');
      expect((err as ObjectNotFoundError).key).toBe('silver/none/part-0.parquet');
      expect((err as Error).message).toContain('silver/none/part-0.parquet');
    });

    it('delete removes the object and is idempotent', async () => {
      await store.put('d/x', Buffer.from('x'));
      await store.delete('d/x');
      expect(await store.head('d/x')).toBeNull();
      await expect(store.delete('d/x')).resolves.toBeUndefined();
      await expect(store.delete('d/never/existed')).resolves.toBeUndefined();
    });

    it('deleteMany removes exactly the given keys and tolerates missing ones', async () => {
      for (const k of ['m/1', 'm/2', 'm/3', 'm/keep']) await store.put(k, Buffer.from(k));
      await store.deleteMany(['m/1', 'm/3', 'm/not-there']);
      await store.deleteMany([]);
      expect(await keysOf(store.list('m/'))).toEqual(['m/2', 'm/keep']);
    });

    it('list returns only keys under the prefix, in byte order, with sizes', async () => {
      const inside = ['p/a/b', 'p/b', 'p/a/z/deep', 'p/Z', 'p/ü', 'p/a_c'];
      for (const k of [...inside, 'pp/x', 'q/p/a', 'o']) await store.put(k, Buffer.from(k));
      const listed = await collect(store.list('p/'));
      const expected = [...inside].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(listed.map((o) => o.key)).toEqual(expected);
      expect(listed.every((o) => o.size === Buffer.byteLength(o.key) && o.lastModified instanceof Date)).toBe(true);
      // A prefix is a string prefix, not a directory: 'p/a' covers 'p/a_c' and 'p/a/…'.
      expect(await keysOf(store.list('p/a'))).toEqual(['p/a/b', 'p/a/z/deep', 'p/a_c']);
      expect(await keysOf(store.list('nothing/'))).toEqual([]);
      expect(await keysOf(store.list(''))).toEqual([...inside, 'pp/x', 'q/p/a', 'o'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    });

    it(`list across '/' returns every key${slashOrder ? " in byte order ('x/a-c' before 'x/a/b')" : ' (order not checked: this server walks directories)'}`, async () => {
      for (const k of ['x/a/b', 'x/a-c', 'x/a0', 'x/a/a']) await store.put(k, Buffer.from('.'));
      const listed = await keysOf(store.list('x/'));
      const expected = ['x/a-c', 'x/a/a', 'x/a/b', 'x/a0'];
      expect(slashOrder ? listed : [...listed].sort()).toEqual(slashOrder ? expected : [...expected].sort());
    });

    it('list with recursive: false returns only direct children', async () => {
      for (const k of ['r/top1', 'r/top2', 'r/sub/child', 'r/sub/deeper/x']) await store.put(k, Buffer.from('.'));
      expect(await keysOf(store.list('r/', { recursive: false }))).toEqual(['r/top1', 'r/top2']);
      expect(await keysOf(store.list('r/sub/', { recursive: false }))).toEqual(['r/sub/child']);
    });

    it(`list paginates transparently over ${paginationObjects} objects`, async () => {
      const keys = Array.from({ length: paginationObjects }, (_, i) => `pg/f-${String(i).padStart(4, '0')}.bin`);
      await Promise.all(keys.map((k) => store.put(k, Buffer.from(k))));
      await store.put('pg-other/x', Buffer.from('x'));
      const listed = await keysOf(store.list('pg/'));
      expect(listed).toEqual(keys);
      expect(new Set(listed).size).toBe(paginationObjects);
    });

    it('list filters by glob: * and ? stay within a segment, ** crosses segments', async () => {
      const base = 'bronze/sales/orders';
      const all = [
        `${base}/data/att-1/part-0.parquet`,
        `${base}/data/att-1/part-1.parquet`,
        `${base}/data/att-2/part-0.parquet`,
        `${base}/data/att-2/part-0.parquet.crc`,
        `${base}/data/att-2/nested/part-9.parquet`,
        `${base}/data/att-3/other.parquet`,
        `${base}/meta/part-0.parquet`,
      ];
      for (const k of all) await store.put(k, Buffer.from('p'));
      expect(await keysOf(store.list('', { glob: `${base}/data/*/part-*.parquet` }))).toEqual([
        `${base}/data/att-1/part-0.parquet`,
        `${base}/data/att-1/part-1.parquet`,
        `${base}/data/att-2/part-0.parquet`,
      ]);
      expect(await keysOf(store.list(`${base}/`, { glob: `${base}/**/part-?.parquet` }))).toEqual([
        `${base}/data/att-1/part-0.parquet`,
        `${base}/data/att-1/part-1.parquet`,
        `${base}/data/att-2/nested/part-9.parquet`,
        `${base}/data/att-2/part-0.parquet`,
        `${base}/meta/part-0.parquet`,
      ]);
      // Prefix and glob combine: the prefix still restricts.
      expect(await keysOf(store.list(`${base}/meta/`, { glob: `**/*.parquet` }))).toEqual([`${base}/meta/part-0.parquet`]);
    });

    it('copy duplicates content (keys with spaces and symbols included) and keeps the source', async () => {
      const from = 'c/src dir/a+b%20 (1).bin';
      await store.put(from, Buffer.from('copy me'));
      await store.copy(from, 'c/dst/copied.bin');
      expect((await readAll(await store.get('c/dst/copied.bin'))).toString()).toBe('copy me');
      expect((await readAll(await store.get(from))).toString()).toBe('copy me');
      await store.put('c/dst/copied.bin', Buffer.from('old'));
      await store.copy(from, 'c/dst/copied.bin');
      expect((await readAll(await store.get('c/dst/copied.bin'))).toString()).toBe('copy me');
    });

    it('copy of a missing source rejects with ObjectNotFoundError naming the source', async () => {
      const err = await store.copy('c/missing', 'c/target').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ObjectNotFoundError);
      expect((err as ObjectNotFoundError).key).toBe('c/missing');
      expect(await store.head('c/target')).toBeNull();
    });

    it('rejects invalid keys with InvalidObjectKeyError (FF_OBJECT_KEY) naming the key, in every operation', async () => {
      const bad = ['', '/abs', '../x', 'a/../b', './a', 'a/.', 'a//b', 'a/', 'nul\0byte', 'win\\path', 'x/.ff-tmp-y'];
      for (const key of bad) {
        const attempts: [string, Promise<unknown>][] = [
          ['put', store.put(key, Buffer.from('x'))],
          ['get', store.get(key)],
          ['head', store.head(key)],
          ['delete', store.delete(key)],
          ['deleteMany', store.deleteMany(['ok/key', key])],
          ['copy from', store.copy(key, 'ok/key')],
          ['copy to', store.copy('ok/key', key)],
        ];
        for (const [op, p] of attempts) {
          const err = await p.then(
            () => null,
            (e: unknown) => e,
          );
          if (!(err instanceof InvalidObjectKeyError))
            throw new Error(`${op}(${JSON.stringify(key)}) did not reject with InvalidObjectKeyError: ${String(err)}`);
          expect(err.code).toBe('FF_OBJECT_KEY');
          expect(err.message).toContain(JSON.stringify(key));
        }
      }
      await expect(collect(store.list('../'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      // Nothing was written by any of the rejected calls.
      expect(await keysOf(store.list(''))).toEqual([]);
    });

    it(`streams a ${Math.round(largeBytes / MIB)} MiB upload and reads back the same sha256`, async () => {
      const source = deterministicStream(largeBytes, { seed: 42 });
      const res = await store.put('big/blob.bin', source.stream, { contentType: 'application/octet-stream' });
      expect(source.emittedBytes()).toBe(largeBytes);
      expect(res.size).toBe(largeBytes);
      expect((await store.head('big/blob.bin'))?.size).toBe(largeBytes);
      const back = await hashStream(await store.get('big/blob.bin'));
      expect(back.size).toBe(largeBytes);
      expect(back.sha256).toBe(source.sha256());
    }, 120_000);

    it('a source stream failing mid-upload leaves the previous version intact and no new object visible', async () => {
      await store.put('f/existing.bin', Buffer.from('previous version'));
      const first = deterministicStream(largeBytes, { seed: 7, failAfterBytes: failAfter });
      const err1 = await store.put('f/existing.bin', first.stream).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err1).toBeInstanceOf(ObjectStoreError);
      expect((err1 as Error).message).toContain('f/existing.bin');
      expect(first.emittedBytes()).toBe(failAfter);
      expect((await readAll(await store.get('f/existing.bin'))).toString()).toBe('previous version');

      const second = deterministicStream(largeBytes, { seed: 8, failAfterBytes: failAfter });
      await expect(store.put('f/new.bin', second.stream)).rejects.toBeInstanceOf(ObjectStoreError);
      expect(await store.head('f/new.bin')).toBeNull();
      expect(await keysOf(store.list('f/'))).toEqual(['f/existing.bin']);
    }, 120_000);
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function keysOf(it: AsyncIterable<ObjectInfo>): Promise<string[]> {
  return (await collect(it)).map((o) => o.key);
}

/** Only for the small bodies of this suite; large ones go through `hashStream`. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
