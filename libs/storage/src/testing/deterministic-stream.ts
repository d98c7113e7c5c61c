import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A reproducible pseudo-random byte stream of `totalBytes`, generated chunk by chunk and hashed as it
 * is emitted, so tests can move many MiB without ever holding the body in memory.
 * `failAfterBytes` makes the stream error once that many bytes were emitted (a source dying mid-upload).
 */
export function deterministicStream(
  totalBytes: number,
  opts: { seed?: number; chunkSize?: number; failAfterBytes?: number } = {},
): { stream: Readable; sha256(): string; emittedBytes(): number } {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const hash = createHash('sha256');
  let state = (opts.seed ?? 0x9e3779b9) >>> 0 || 1;
  let emitted = 0;
  let digest: string | undefined;
  const stream = new Readable({
    read() {
      if (opts.failAfterBytes !== undefined && emitted >= opts.failAfterBytes) {
        this.destroy(new Error(`source stream failed on purpose after ${emitted} bytes`));
        return;
      }
      const remaining = totalBytes - emitted;
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkSize, remaining, opts.failAfterBytes !== undefined ? opts.failAfterBytes - emitted : Infinity);
      const chunk = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        // xorshift32: cheap and deterministic; quality is irrelevant, reproducibility is the point.
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        chunk[i] = state & 0xff;
      }
      hash.update(chunk);
      emitted += n;
      this.push(chunk);
    },
  });
  return {
    stream,
    sha256: () => (digest ??= hash.digest('hex')),
    emittedBytes: () => emitted,
  };
}

/** sha256 and byte count of a stream, computed on the fly. */
export async function hashStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
