import type { Readable } from 'node:stream';

/** Bytes read and thrown away past the bound, so the sender gets its answer (beyond this the connection is cut). */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/** A request whose body the webhook middleware read: the exact bytes, or null when larger than the bound. */
export interface RawBodyRequest {
  method?: string;
  url?: string;
  rawBody?: Buffer | null;
}

/**
 * The body's bytes, or null when it is larger than `max`: the rest is read and dropped (up to 16 MiB,
 * then the connection is destroyed), never kept, so the answer reaches a sender still writing.
 */
export async function readBounded(stream: Readable, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > DRAIN_LIMIT) {
      stream.destroy();
      return null;
    }
    if (size <= max) chunks.push(b);
  }
  return size > max ? null : Buffer.concat(chunks);
}

/**
 * Reads webhook deliveries (POST under `prefix`) raw, bounded by `max`, into `req.rawBody`: their
 * signature covers the exact bytes, so the JSON body parser must not take them. Having read the stream
 * to its end also makes the parser skip the request.
 */
export function webhookRawBody(prefix: string, max: number): (req: RawBodyRequest & Readable, res: unknown, next: (err?: unknown) => void) => void {
  const lower = prefix.toLowerCase();
  return (req, _res, next) => {
    if (req.method !== 'POST' || !(req.url ?? '').toLowerCase().startsWith(lower)) return next();
    readBounded(req, max).then(
      (body) => {
        req.rawBody = body;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}
