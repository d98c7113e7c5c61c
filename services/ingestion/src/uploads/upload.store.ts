import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlowForgeError, ValidationProblem } from '@flowforge/service-kit';

/** What an upload became: the `uploads` location's path of the file, for an `ingest.file` step. */
export interface UploadView {
  id: string;
  name: string;
  /** The file's path in the `uploads` location (`connection: uploads` in an ingest.file step). */
  path: string;
  connection: 'uploads';
  size: number;
  sha256: string;
}

export class UploadTooLargeProblem extends FlowForgeError {
  constructor(max: number) {
    super('FF_UPLOAD_TOO_LARGE', 413, 'Upload too large', `the upload exceeds ${max} bytes (FLOWFORGE_UPLOAD_MAX_BYTES); nothing was kept`);
  }
}

/** A file name as the client sends it: one path segment, printable, at most 255 characters. */
export function uploadNameProblem(name: string | undefined): string | null {
  if (name === undefined || name === '') return 'is required: the file name, e.g. ?name=orders.csv';
  if (name.length > 255) return 'must be at most 255 characters';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters (NUL, newline...)';
  if (name.includes('/') || name.includes('\\')) return 'must be a file name, without "/" or "\\"';
  if (name === '.' || name === '..') return 'must be a file name, not "." or ".."';
  return null;
}

/**
 * Uploaded files, streamed to `<dir>/<id>/<name>` as they arrive, never held in memory: written to a
 * hidden `.part` file, counted and hashed on the way, renamed when complete. A body over the limit, a
 * client that goes away or a disk error removes the upload's folder: nothing half-written is left or
 * ever listed under its final name.
 */
export class UploadStore {
  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  async save(name: string | undefined, body: Readable, declaredLength?: number): Promise<UploadView> {
    const problem = uploadNameProblem(name);
    if (problem) throw new ValidationProblem([{ field: 'name', message: problem }]);
    if (declaredLength !== undefined && declaredLength > this.maxBytes) {
      body.resume();
      throw new UploadTooLargeProblem(this.maxBytes);
    }
    const id = randomUUID();
    const folder = path.join(this.dir, id);
    await fs.mkdir(folder, { recursive: true, mode: 0o750 });
    const part = path.join(folder, `.${name}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new UploadTooLargeProblem(max));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(part, { mode: 0o640 }));
      await fs.rename(part, path.join(folder, name!));
    } catch (err) {
      await fs.rm(folder, { recursive: true, force: true });
      if (err instanceof FlowForgeError) {
        body.resume(); // drain what the client still sends, so it reads the answer
        throw err;
      }
      throw err;
    }
    return { id, name: name!, path: `${id}/${name}`, connection: 'uploads', size, sha256: hash.digest('hex') };
  }
}
