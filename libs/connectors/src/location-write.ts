import { randomBytes } from 'node:crypto';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocationError } from './location.errors';
import { checkRelativePath } from './location-path';

/** Options of `FileLocation.write` (location.port.ts). */
export interface WriteOptions {
  /** Replace a file already at the path (default true); false refuses it with FF_LOCATION_EXISTS. */
  readonly overwrite?: boolean;
  /** The MIME type stored with the object where the store keeps one (s3, gcs, azure); ignored elsewhere. At most 255 printable ASCII characters. */
  readonly contentType?: string;
  /** Aborting stops the transfer: the write rejects (retryable FF_LOCATION_FAILED) and leaves nothing at the path. */
  readonly signal?: AbortSignal;
}

/** What `FileLocation.write` reports once the file is in place. */
export interface WriteResult {
  /** Bytes read from the body and written (the file's size). */
  readonly bytes: number;
}

/** The marker in temporary names of writes in progress (`<name>.ff-partial-<random>`): a crash may leave one, safe to delete. */
export const PARTIAL_MARKER = '.ff-partial-';

/**
 * The path and options of a write, checked before any implementation sees them: the path as every path
 * (checkRelativePath: no `..`, NUL, backslash) and not the root itself; `body` a readable stream;
 * `contentType` bounded. Errors name the field (FF_LOCATION_INVALID_PATH, FF_LOCATION_INVALID_OPTION).
 */
export function checkWrite(p: string, body: Readable, opts: WriteOptions): string {
  const rel = checkRelativePath(p);
  if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
  if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function' || typeof (body as { on?: unknown }).on !== 'function')
    throw new LocationError('FF_LOCATION_INVALID_OPTION', 'body must be a readable stream');
  if (opts.overwrite !== undefined && typeof opts.overwrite !== 'boolean')
    throw new LocationError('FF_LOCATION_INVALID_OPTION', 'opts.overwrite must be a boolean');
  if (opts.contentType !== undefined && (typeof opts.contentType !== 'string' || opts.contentType.length > 255 || !/^[\x20-\x7e]*$/.test(opts.contentType)))
    throw new LocationError('FF_LOCATION_INVALID_OPTION', 'opts.contentType must be at most 255 printable ASCII characters');
  return rel;
}

/**
 * The start of every `write`: checks the arguments (checkWrite) and watches the body (WriteAttempt). A
 * refused argument destroys the body too, as every failed write does.
 */
export function beginWrite(p: string, body: Readable, opts: WriteOptions): { rel: string; attempt: WriteAttempt } {
  let rel: string;
  try {
    rel = checkWrite(p, body, opts);
  } catch (err) {
    if (body && typeof (body as { destroy?: unknown }).destroy === 'function' && !body.destroyed) body.destroy();
    throw err;
  }
  return { rel, attempt: new WriteAttempt(body, rel, opts.signal) };
}

/** `<name>.ff-partial-<random>`: the temporary name a write goes to beside its target before the rename (the name is cut to stay within name limits). */
export function partialName(name: string): string {
  return `${name.slice(0, 120)}${PARTIAL_MARKER}${randomBytes(6).toString('hex')}`;
}

/** FF_LOCATION_EXISTS for a write with `overwrite: false` onto a file that is there. */
export function existsError(rel: string, where: string): LocationError {
  return new LocationError('FF_LOCATION_EXISTS', `${rel} already exists in ${where} (overwrite is false)`);
}

/**
 * Watches a write's body and signal, so a failure can be told apart: the body's own error (the data to
 * write failed: reported as such, a LocationError from another location kept as it is), an abort, or
 * else the store's (mapped by the location). Every write runs through `run`: on any failure the body is
 * destroyed (its producer is not left waiting) and the error is the one that explains it.
 */
export class WriteAttempt {
  private bodyError: unknown = undefined;
  private settled = false;
  private counter = 0;
  /** The body with its bytes counted on the way through; give this to the store, never `body` itself. */
  readonly counted: Transform;

  constructor(
    private readonly body: Readable,
    private readonly rel: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    const self = this;
    this.counted = new Transform({
      highWaterMark: 256 * 1024,
      transform(chunk: Buffer, _enc, cb) {
        self.counter += chunk.length;
        cb(null, chunk);
      },
    });
    // Piped by hand, not by pipeline(): a store's failure destroys `counted` and must not be taken for
    // the body's own error; the body's error does reach `counted`, so a store reading it sees the failure.
    body.on('error', (err) => {
      if (!this.settled) this.bodyError ??= err;
      this.counted.destroy(err);
    });
    if (signal) {
      const abort = () => this.counted.destroy(this.aborted());
      signal.addEventListener('abort', abort, { once: true });
      this.counted.once('close', () => signal.removeEventListener('abort', abort));
    }
    // Its errors reach whoever reads it (the store, `into`) and `run` explains them: never unhandled here.
    this.counted.on('error', () => undefined);
    body.pipe(this.counted);
  }

  /** Bytes that went through `counted` so far. */
  get bytes(): number {
    return this.counter;
  }

  /** Pipes `counted` into `sink`; resolves once the sink finished (and closed) with every byte. */
  async into(sink: Writable): Promise<number> {
    await pipeline(this.counted, sink);
    return this.counter;
  }

  /**
   * Runs the write; on failure destroys the body (its producer is not left waiting) and rethrows what
   * explains it: the body's error, the abort, else `mapStore(err)` (the location's mapping of its store's error).
   */
  async run<T>(fn: () => Promise<T>, mapStore: (err: unknown) => LocationError): Promise<T> {
    try {
      if (this.signal?.aborted) throw this.aborted();
      const result = await fn();
      this.settled = true;
      return result;
    } catch (err) {
      const explained = this.explain(err, mapStore);
      this.settled = true;
      if (!this.body.destroyed) this.body.destroy();
      if (!this.counted.destroyed) this.counted.destroy();
      throw explained;
    }
  }

  /** The error that explains a failed write (see `run`), its message naming the path written. */
  explain(err: unknown, mapStore: (err: unknown) => LocationError): LocationError {
    if (this.signal?.aborted) return this.aborted();
    if (this.bodyError !== undefined) {
      // A LocationError from the body (another location's stream) keeps its code and retryability.
      if (this.bodyError instanceof LocationError) return this.naming(this.bodyError, 'the data to write failed: ');
      const message = this.bodyError instanceof Error ? this.bodyError.message : String(this.bodyError);
      const e = new LocationError('FF_LOCATION_FAILED', `${this.rel}: the data to write failed (${message.slice(0, 300)}): nothing was written`, false);
      return Object.assign(e, { cause: this.bodyError });
    }
    return this.naming(err instanceof LocationError ? err : mapStore(err), '');
  }

  /** `err` itself when its message names the path, else the same code and retryability with `writing <path>: ` in front. */
  private naming(err: LocationError, what: string): LocationError {
    if (err.message.includes(this.rel)) return err;
    const text = err.message.startsWith(`${err.code}: `) ? err.message.slice(err.code.length + 2) : err.message;
    return Object.assign(new LocationError(err.code, `writing ${this.rel}: ${what}${text}`, err.retryable), { cause: err });
  }

  private aborted(): LocationError {
    return new LocationError('FF_LOCATION_FAILED', `writing ${this.rel} was aborted: nothing was written`, true);
  }
}
