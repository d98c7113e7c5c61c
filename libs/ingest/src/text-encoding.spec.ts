import { detectEncoding, isUtf8, lineEndings } from './text-encoding';

describe('encoding detection', () => {
  it('reads BOMs, UTF-16 NUL patterns, UTF-8 validity, else windows-1252', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toMatchObject({ encoding: 'utf-8', bomBytes: 3 });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toMatchObject({ encoding: 'utf-16le', bomBytes: 2 });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toMatchObject({ encoding: 'utf-16be', bomBytes: 2 });
    expect(detectEncoding(Buffer.from('id,name\n1,x\n', 'utf16le'))).toMatchObject({ encoding: 'utf-16le', bomBytes: 0 });
    expect(detectEncoding(Buffer.from('id,name\n1,x\n', 'utf16le').swap16())).toMatchObject({ encoding: 'utf-16be', bomBytes: 0 });
    expect(detectEncoding(Buffer.from('naïve,€\n', 'utf8'))).toMatchObject({ encoding: 'utf-8' });
    expect(detectEncoding(Buffer.from([0x6e, 0x61, 0xef, 0x76, 0x65, 0x0a]))).toMatchObject({ encoding: 'windows-1252' });
  });

  it('accepts a UTF-8 sequence cut at the end of the head, not a broken one inside', () => {
    const euro = Buffer.from('€', 'utf8');
    expect(isUtf8(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 2)]))).toBe(true);
    expect(isUtf8(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 2), Buffer.from('cd')]))).toBe(false);
  });

  it('counts line break styles', () => {
    expect(lineEndings('a\r\nb\nc').mixed).toBe(true);
    expect(lineEndings('a\r\nb\r\nc').mixed).toBe(false);
  });
});
