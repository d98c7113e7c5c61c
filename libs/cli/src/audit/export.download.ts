import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CliFailure } from '../cli.errors';
import type { OutputStream } from '../cli.io';

/**
 * Streams `body` into `file` through a temp file beside it, renamed over `file` only once the whole
 * body has arrived: a download that fails half-way leaves no half file (and an older export of the
 * same name as it was). `check` sees the complete text's end before the rename (a JSON array must end
 * with `]`). Returns the bytes written.
 */
export async function writeFileAtomically(file: string, body: AsyncIterable<Uint8Array>, check?: (tail: string) => string | undefined): Promise<number> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  let bytes = 0;
  let tail = '';
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      bytes += chunk.length;
      tail = (tail + Buffer.from(chunk).toString('latin1')).slice(-64);
      yield chunk;
    }
  }
  try {
    // Opened here, not by the stream (which opens later, asynchronously): a download failing at once
    // would otherwise remove the temp file before it exists, and leave it behind.
    const fd = fs.openSync(temp, 'wx', 0o666);
    await pipeline(counted(), fs.createWriteStream('', { fd }));
    const problem = check?.(tail);
    if (problem) throw new Error(problem);
    fs.renameSync(temp, file);
    return bytes;
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new CliFailure(`the download failed after ${bytes} bytes (${reasonOf(err)}); ${path.basename(file)} was not written`);
  }
}

/** Streams `body` to stdout as it arrives, waiting for a slow reader (a pipe) to drain. */
export async function streamToOutput(out: OutputStream, body: AsyncIterable<Uint8Array>): Promise<number> {
  const decoder = new TextDecoder();
  let bytes = 0;
  const drainable = out as OutputStream & { once?: (event: 'drain', fn: () => void) => unknown };
  for await (const chunk of body) {
    bytes += chunk.length;
    const ok = out.write(decoder.decode(chunk, { stream: true }));
    if (ok === false && drainable.once) await new Promise<void>((resolve) => drainable.once!('drain', resolve));
  }
  const rest = decoder.decode();
  if (rest) out.write(rest);
  return bytes;
}

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}
