import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectEncoding, isUtf8, lineEndings, longestLineOver } from './text-encoding';

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

  it('finds the longest line over a limit, whatever its place, with LF, CRLF or CR breaks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-lines-'));
    try {
      const file = (name: string, text: string): string => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, text);
        return f;
      };
      const short = Array.from({ length: 5000 }, (_, i) => `${i},row ${i}`).join('\n');
      expect(await longestLineOver(file('short.csv', short), 1024)).toBeNull();
      // 3,000 bytes exactly is not over 3,000; 3,001 is.
      expect(await longestLineOver(file('at.csv', `a\n${'x'.repeat(3000)}\nb\n`), 3000)).toBeNull();
      expect(await longestLineOver(file('over.csv', `a\n${'x'.repeat(3001)}\nb\n`), 3000)).toEqual({ offset: 2, bytes: 3001 });
      const text = `${short}\n${'y'.repeat(5000)}\n${short}\n${'z'.repeat(7000)}`;
      expect(await longestLineOver(file('two.csv', text), 1024)).toEqual({ offset: text.indexOf('z'), bytes: 7000 });
      expect(await longestLineOver(file('first.csv', `${'q'.repeat(200_000)}\r\n1\r\n`), 4096)).toEqual({ offset: 0, bytes: 200_000 });
      expect(await longestLineOver(file('cr.csv', `a\r${'w'.repeat(100)}\rb`), 64)).toEqual({ offset: 2, bytes: 100 });
      expect(await longestLineOver(file('cr.csv', `a\r${'w'.repeat(100)}\rb`), 100)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
