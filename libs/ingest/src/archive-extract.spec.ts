import { sniffCompression, unsafeMemberName } from './archive-extract';
import { structFields } from './json-shape';

describe('archives and formats', () => {
  it('refuses member names that could leave the extraction folder', () => {
    for (const bad of ['/etc/passwd', '../x.csv', 'a/../../x', 'C:/x.csv', 'a\\..\\x', 'a\0b', '']) expect(unsafeMemberName(bad)).not.toBeNull();
    for (const ok of ['x.csv', 'data/2024/x.csv', 'a..b.csv', './x.csv']) expect(unsafeMemberName(ok)).toBeNull();
  });

  it('detects compression from magic bytes', () => {
    expect(sniffCompression(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(sniffCompression(Buffer.from('PK\x03\x04', 'latin1'))).toBe('zip');
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257, 'latin1');
    expect(sniffCompression(tar)).toBe('tar');
    expect(sniffCompression(Buffer.from('a,b\n'))).toBe('none');
  });

  it('parses DuckDB struct types for flattening', () => {
    expect(structFields('STRUCT(a BIGINT, "b c" STRUCT(d VARCHAR[], e DECIMAL(10,2)))')).toEqual([
      { name: 'a', type: 'BIGINT' },
      { name: 'b c', type: 'STRUCT(d VARCHAR[], e DECIMAL(10,2))' },
    ]);
    expect(structFields('BIGINT[]')).toBeNull();
  });
});
