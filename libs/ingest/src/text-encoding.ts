import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TextEncoding } from './format-options';
import { IngestError } from './ingest.errors';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start (skipped when transcoding). */
  bomBytes: number;
  /** How it was decided, for the read's report. */
  reason: string;
}

/**
 * Encoding from the head of a file: a BOM; else the NUL pattern of UTF-16 text (ASCII in UTF-16 has
 * a NUL in every other byte); else UTF-8 when the head decodes as UTF-8; else Windows-1252, which
 * decodes any byte (a superset of Latin-1's printable range). A UTF-8 head followed by other bytes
 * later is read as UTF-8 and those rows are rejected with the reason, never a crash.
 */
export function detectEncoding(head: Buffer): DetectedEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3, reason: 'UTF-8 byte-order mark' };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2, reason: 'UTF-16LE byte-order mark' };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2, reason: 'UTF-16BE byte-order mark' };
  const n = Math.min(head.length, 4096) & ~1;
  if (n >= 4) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const pairs = n / 2;
    if (oddNul > pairs * 0.3 && evenNul < pairs * 0.05) return { encoding: 'utf-16le', bomBytes: 0, reason: 'NUL in odd bytes (UTF-16LE without BOM)' };
    if (evenNul > pairs * 0.3 && oddNul < pairs * 0.05) return { encoding: 'utf-16be', bomBytes: 0, reason: 'NUL in even bytes (UTF-16BE without BOM)' };
  }
  if (isUtf8(head)) return { encoding: 'utf-8', bomBytes: 0, reason: 'the head is valid UTF-8' };
  const { valid, invalid } = utf8Sequences(head);
  // Real UTF-8 with a few broken bytes: decoding it all as Windows-1252 would garble every other accent,
  // so it stays UTF-8 and the broken rows are rejected with the reason.
  if (valid > 0 && valid >= invalid)
    return {
      encoding: 'utf-8',
      bomBytes: 0,
      reason: `the head is UTF-8 (${valid} multi-byte characters) with ${invalid} invalid byte(s): those rows are rejected`,
    };
  return { encoding: 'windows-1252', bomBytes: 0, reason: 'the head is not valid UTF-8' };
}

/** Well-formed multi-byte UTF-8 sequences and invalid bytes in a buffer. */
export function utf8Sequences(buf: Buffer): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) ok = i + k < buf.length && (buf[i + k]! & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** Valid UTF-8, allowing a sequence cut at the end of the head. */
export function isUtf8(head: Buffer): boolean {
  let end = head.length;
  // Drop an incomplete trailing sequence: up to 3 continuation bytes after a lead byte.
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (need > back) end -= back;
    }
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * Transcodes a non-UTF-8 file to UTF-8, streaming (memory: one chunk). Latin-1 is decoded byte for byte
 * (ISO-8859-1); windows-1252 and UTF-16 through TextDecoder (full ICU in Node 24). A UTF-16 code unit
 * that is not a character (a lone surrogate) becomes U+FFFD: the row keeps its place and its other values.
 */
export async function transcodeToUtf8(
  file: string,
  out: string,
  encoding: TextEncoding,
  bomBytes: number,
  signal?: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<void> {
  if (encoding === 'utf-8') throw new Error('transcodeToUtf8: the file is UTF-8 already');
  const decoder = encoding === 'latin1' ? null : new TextDecoder(encoding);
  let read = 0;
  const convert = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      onBytes?.(read);
      cb(null, Buffer.from(decoder ? decoder.decode(chunk, { stream: true }) : chunk.toString('latin1'), 'utf8'));
    },
    flush(cb) {
      cb(null, decoder ? Buffer.from(decoder.decode(), 'utf8') : undefined);
    },
  });
  try {
    await pipeline(createReadStream(file, { start: bomBytes }), convert, createWriteStream(out), { signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new IngestError('FF_INGEST_CANCELLED', `transcoding ${file} was cancelled`, { cause: err });
    throw new IngestError('FF_INGEST_READ', `transcoding ${file} from ${encoding} to UTF-8 failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Line-break styles seen in a text: mixed when more than one of `\r\n`, `\n`, `\r` occurs. */
export function lineEndings(text: string): { crlf: number; lf: number; cr: number; mixed: boolean } {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) {
    if (text[i + 1] === '\n') crlf++;
    else if (i + 1 < text.length) cr++;
  }
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (text[i - 1] !== '\r') lf++;
  return { crlf, lf, cr, mixed: [crlf, lf, cr].filter((n) => n > 0).length > 1 };
}

/**
 * Rewrites the record-ending line breaks of a UTF-8 CSV to `\n`, streaming: `\r\n` and a lone `\r`
 * outside quotes become `\n`; breaks inside quoted values are kept as written. DuckDB's strict CSV
 * parser needs one line-break style per file, and its lenient mode drops extra fields silently.
 */
export async function normalizeLineEndings(file: string, out: string, quote: string, escape: string, signal?: AbortSignal): Promise<void> {
  const q = quote.charCodeAt(0);
  const e = escape.charCodeAt(0);
  let inQuotes = false;
  let pendingCr = false;
  let skipNext = false;
  const convert = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const outBuf = Buffer.allocUnsafe(chunk.length + 1);
      let o = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (pendingCr) {
          pendingCr = false;
          outBuf[o++] = 0x0a;
          if (b === 0x0a) continue;
        }
        if (skipNext) {
          skipNext = false;
          outBuf[o++] = b;
          continue;
        }
        if (inQuotes && e !== q && b === e) {
          skipNext = true;
          outBuf[o++] = b;
          continue;
        }
        if (b === q) inQuotes = !inQuotes;
        if (b === 0x0d && !inQuotes) {
          pendingCr = true;
          continue;
        }
        outBuf[o++] = b;
      }
      cb(null, outBuf.subarray(0, o));
    },
    flush(cb) {
      cb(null, pendingCr ? Buffer.from('\n') : undefined);
    },
  });
  try {
    await pipeline(createReadStream(file), convert, createWriteStream(out), { signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new IngestError('FF_INGEST_CANCELLED', `normalising line breaks of ${file} was cancelled`, { cause: err });
    throw new IngestError('FF_INGEST_READ', `normalising line breaks of ${file} failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The longest physical line of `file` when some line is longer than `limit` bytes, else null; reads a
 * few KiB per `limit / 2` bytes of file, not the whole file. Every block of `limit / 2` bytes holding a
 * line break (`\n` or `\r`) means no line can be longer than `limit`; only around a block without one is the line measured
 * exactly. (DuckDB 1.5 silently drops a line longer than its read buffer, so the reader sizes the buffer
 * from this or refuses the file.)
 */
export async function longestLineOver(file: string, limit: number, signal?: AbortSignal): Promise<{ offset: number; bytes: number } | null> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const block = Math.max(1, Math.floor(limit / 2));
    const probe = Buffer.allocUnsafe(64 * 1024);
    /** Offset of the first line break in [from, to), or -1. */
    const nextNewline = async (from: number, to: number): Promise<number> => {
      for (let at = from; at < to; at += probe.length) {
        if (signal?.aborted) throw new IngestError('FF_INGEST_CANCELLED', `measuring the lines of ${file} was cancelled`);
        const { bytesRead } = await fh.read(probe, 0, Math.min(probe.length, to - at), at);
        if (bytesRead === 0) return -1;
        const chunk = probe.subarray(0, bytesRead);
        const lf = chunk.indexOf(0x0a);
        const cr = chunk.indexOf(0x0d);
        const i = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
        if (i >= 0) return at + i;
      }
      return -1;
    };
    /** Offset of the last line break before `to` (scanning back), or -1. */
    const prevNewline = async (to: number): Promise<number> => {
      for (let end = to; end > 0; end -= probe.length) {
        const start = Math.max(0, end - probe.length);
        const { bytesRead } = await fh.read(probe, 0, end - start, start);
        const chunk = probe.subarray(0, bytesRead);
        const i = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d));
        if (i >= 0) return start + i;
      }
      return -1;
    };
    let longest: { offset: number; bytes: number } | null = null;
    for (let b = 0; b < size; b += block) {
      if ((await nextNewline(b, Math.min(size, b + block))) >= 0) continue;
      const start = (await prevNewline(b)) + 1;
      const nl = await nextNewline(b, size);
      const end = nl < 0 ? size : nl;
      if (end - start > limit && (!longest || end - start > longest.bytes)) longest = { offset: start, bytes: end - start };
      if (nl < 0) break;
      b = Math.floor(nl / block) * block; // resume at the block holding the newline that ended this line
    }
    return longest;
  } finally {
    await fh.close();
  }
}
