import fs from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import type { FileFormat } from './format-options';
import type { TextEncoding } from './format-options';

/** The first `bytes` of a file (fewer when it is shorter). */
export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Text of a head in its encoding (a cut multi-byte sequence at the end is dropped, not an error). */
export function decodeHead(head: Buffer, encoding: TextEncoding, bomBytes: number): string {
  const body = head.subarray(bomBytes);
  if (encoding === 'latin1') return body.toString('latin1');
  return new TextDecoder(encoding).decode(body, { stream: true });
}

/**
 * Format from content first, the name second: Parquet's `PAR1`, a zip (an xlsx is one: the caller
 * checks for a workbook), JSON when the text starts with `[` or `{`; otherwise the extension, and CSV
 * for any other text.
 */
export function sniffFormat(head: Buffer, text: string, name: string): FileFormat {
  if (head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  const first = /\S/.exec(text)?.[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  const ext = path.extname(name).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return 'csv';
}

/** Whether a zip is an Excel workbook (holds `xl/workbook.xml`) rather than an archive of files. */
export async function zipIsWorkbook(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: false }, (err, zip) => {
      if (err || !zip) return resolve(false);
      let answered = false;
      const done = (v: boolean): void => {
        if (answered) return;
        answered = true;
        zip.close();
        resolve(v);
      };
      zip.on('entry', (e: yauzl.Entry) => {
        if ((e.fileName as unknown as Buffer).toString('latin1') === 'xl/workbook.xml') done(true);
        else zip.readEntry();
      });
      zip.on('end', () => done(false));
      zip.on('error', () => done(false));
      zip.readEntry();
    });
  });
}
