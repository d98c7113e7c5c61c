import { assertValidObjectKey, globToRegExp, planListing } from './object-key';
import { InvalidObjectKeyError } from './object-store.errors';

describe('assertValidObjectKey', () => {
  it('accepts lake-style keys', () => {
    for (const k of ['a', 'bronze/sales/orders/data/att-1/part-0.parquet', 'x/.hidden', 'a..b/c', 'ü/ñ é', 'a/...']) {
      expect(() => assertValidObjectKey(k)).not.toThrow();
    }
  });

  it('rejects traversal, absolute, empty-segment, NUL and oversize keys with the key in the message', () => {
    const cases: [string, RegExp][] = [
      ['', /non-empty/],
      ['/abs', /leading/],
      ['../x', /"\.\." segment/],
      ['a/./b', /"\." segment/],
      ['a//b', /empty segment/],
      ['a/', /end with/],
      ['a\0b', /NUL/],
      ['a\\b', /backslash/],
      ['a/.ff-tmp-1', /reserved/],
      ['k'.repeat(1025), /1024 bytes/],
    ];
    for (const [key, reason] of cases) {
      let err: unknown;
      try {
        assertValidObjectKey(key);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidObjectKeyError);
      expect((err as InvalidObjectKeyError).code).toBe('FF_OBJECT_KEY');
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).toContain(JSON.stringify(key));
    }
  });
});

describe('globToRegExp', () => {
  it('* and ? stay inside one segment, ** spans segments (also zero of them)', () => {
    const re = globToRegExp('bronze/sales/orders/data/*/part-*.parquet');
    expect(re.test('bronze/sales/orders/data/att-1/part-00.parquet')).toBe(true);
    expect(re.test('bronze/sales/orders/data/a/b/part-00.parquet')).toBe(false);
    expect(re.test('bronze/sales/orders/data/att-1/part-00.parquet.crc')).toBe(false);
    expect(globToRegExp('a/?.txt').test('a/b.txt')).toBe(true);
    expect(globToRegExp('a/?.txt').test('a/bc.txt')).toBe(false);
    expect(globToRegExp('a/**/z').test('a/z')).toBe(true);
    expect(globToRegExp('a/**/z').test('a/b/c/z')).toBe(true);
    expect(globToRegExp('a/**').test('a/b/c')).toBe(true);
  });

  it('treats regex metacharacters literally', () => {
    expect(globToRegExp('a+b(1).[x]$').test('a+b(1).[x]$')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('planListing', () => {
  it('narrows the backend prefix with the literal head of the glob', () => {
    expect(planListing('', { glob: 'bronze/sales/*/x' }).listPrefix).toBe('bronze/sales/');
    expect(planListing('bronze/', { glob: '**/x' }).listPrefix).toBe('bronze/');
  });

  it('rejects invalid prefixes', () => {
    expect(() => planListing('../')).toThrow(InvalidObjectKeyError);
    expect(() => planListing('/a')).toThrow(InvalidObjectKeyError);
  });
});
