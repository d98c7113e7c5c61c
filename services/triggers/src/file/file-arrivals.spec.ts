import type { FileEntry } from '@flowforge/connectors';
import { FileArrivals, fileKey } from './file-arrivals';

const file = (p: string, size: number, modifiedAt = '2026-01-01T00:00:00.000Z'): FileEntry => ({
  path: p,
  name: p.split('/').pop()!,
  kind: 'file',
  size,
  modifiedAt,
  etag: null,
});

describe('file arrivals (debounce)', () => {
  it('a file is ready once two listings in a row saw the same size and mtime; files ready together come together', () => {
    const w = new FileArrivals();
    expect(w.observe([file('b.csv', 5), file('a.csv', 3)])).toEqual([]);
    expect(w.observe([file('b.csv', 5), file('a.csv', 3)]).map((f) => f.path)).toEqual(['a.csv', 'b.csv']);
  });

  it('waits while a file is still being written (its size or mtime changes between polls)', () => {
    const w = new FileArrivals();
    w.observe([file('big.csv', 100)]);
    expect(w.observe([file('big.csv', 200)])).toEqual([]);
    expect(w.observe([file('big.csv', 200, '2026-01-01T00:00:01.000Z')])).toEqual([]);
    expect(w.observe([file('big.csv', 200, '2026-01-01T00:00:01.000Z')])).toEqual([{ path: 'big.csv', size: 200, modifiedAt: '2026-01-01T00:00:01.000Z' }]);
  });

  it('a file that went away and came back starts over; folders never count', () => {
    const w = new FileArrivals();
    w.observe([file('a.csv', 1)]);
    w.observe([]);
    expect(w.observe([file('a.csv', 1), { ...file('dir', 0), kind: 'dir' }])).toEqual([]);
    expect(w.observe([file('a.csv', 1), { ...file('dir', 0), kind: 'dir' }]).map((f) => f.path)).toEqual(['a.csv']);
  });

  it('keys a file version by path, size and mtime', () => {
    expect(fileKey({ path: 'a.csv', size: 1, modifiedAt: 'T' })).not.toBe(fileKey({ path: 'a.csv', size: 2, modifiedAt: 'T' }));
    expect(fileKey({ path: 'a.csv', size: null, modifiedAt: null })).toBe('a.csv||');
  });

  it('a file an object store notified as complete is ready on the first listing', () => {
    const w = new FileArrivals();
    expect(w.observe([file('a.csv', 3), file('b.csv', 4)], new Set(['b.csv'])).map((f) => f.path)).toEqual(['b.csv']);
    expect(w.observe([file('a.csv', 3), file('b.csv', 4)]).map((f) => f.path)).toEqual(['a.csv', 'b.csv']);
  });
});
