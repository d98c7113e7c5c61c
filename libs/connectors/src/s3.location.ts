import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { guardedAgents } from './guarded-http';
import { LocationError } from './location.errors';
import { networkLocationError } from './location-network';
import { baseName, checkRelativePath, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { beginWrite, existsError, type WriteOptions, type WriteResult } from './location-write';

/** Multipart part size of writes: 8 MiB (S3's minimum is 5 MiB); with 2 parts in flight, ~16 MiB of memory per write; 10,000 parts = 80 GB at most. */
const WRITE_PART_SIZE = 8 * 1024 * 1024;
const WRITE_QUEUE_SIZE = 2;

/** What an S3 (or S3-compatible: MinIO, Ceph, GCS interoperability) location needs; the catalog's `s3` config. */
export interface S3LocationConfig {
  bucket: string;
  region?: string;
  /** S3-compatible endpoint (http(s) URL); absent = AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** The location's root inside the bucket: a key prefix taken as a folder (`landing/in` = keys under `landing/in/`). */
  prefix?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  allowPrivateNetworks?: boolean;
}

export interface S3LocationOptions {
  /** The connection type reported (`s3`, `gcs`): the same protocol serves several. */
  type?: string;
  /** How messages name the store ("S3", "Google Cloud Storage"). */
  label?: string;
}

const AUTH_ERRORS = /^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden|InvalidToken|ExpiredToken|AllAccessDisabled)$/;

/**
 * A bucket (below an optional prefix) of S3 or an S3-compatible store. Key prefixes ending in `/` are the
 * folders (ListObjectsV2 with delimiter `/`); archive is CopyObject (+ DeleteObject for a move). Every
 * socket the SDK opens passes the outbound address guard (the SDK derives host names from bucket and
 * region, so the check is made where the socket connects, on the address it connects to).
 */
export class S3Location implements FileLocation {
  readonly type: string;
  private readonly label: string;
  private readonly client: S3Client;
  private readonly agents: ReturnType<typeof guardedAgents>;
  private readonly root: string;
  private readonly where: string;

  constructor(
    private readonly config: S3LocationConfig,
    opts: S3LocationOptions = {},
  ) {
    this.type = opts.type ?? 's3';
    this.label = opts.label ?? 'S3';
    this.root = checkRelativePath(config.prefix ?? '', 'prefix');
    const region = config.region ?? 'us-east-1';
    this.where = config.endpoint ? new URL(config.endpoint).host : `s3.${region}.amazonaws.com`;
    this.agents = guardedAgents(config.allowPrivateNetworks === true);
    this.client = new S3Client({
      region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle === true,
      // Without keys a request is anonymous (public buckets), never signed with the platform's own identity
      // (its environment or instance role), which may reach buckets the connection's author may not: the lake's.
      ...(config.accessKeyId && config.secretAccessKey
        ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
        : { credentials: { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' }, signer: { sign: <T>(request: T) => Promise.resolve(request) } }),
      // Retries are the caller's decision (LocationError.retryable); S3-compatible stores (GCS, older MinIO)
      // reject or ignore the SDK's flexible checksums, so they are sent only where the API requires them.
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { ...this.agents, connectionTimeout: 10_000, requestTimeout: 120_000 },
    });
  }

  async test(signal?: AbortSignal): Promise<void> {
    await this.call('', () => this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), { abortSignal: signal }));
    // Listing is what browsing and selection need: a key allowed HeadBucket but not ListBucket fails here.
    await this.call('', () =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.folderKey(''), Delimiter: '/', MaxKeys: 1 }), {
        abortSignal: signal,
      }),
    );
  }

  async list(dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<Listing> {
    const rel = checkRelativePath(dir, 'dir');
    const prefix = this.folderKey(rel);
    const limit = opts.limit ?? 1000;
    const entries: FileEntry[] = [];
    let token: string | undefined;
    let exists = rel === '';
    let truncated = false;
    do {
      const page: ListObjectsV2CommandOutput = await this.call(rel, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: prefix,
            Delimiter: '/',
            MaxKeys: Math.min(1000, limit + 1 - entries.length),
            ContinuationToken: token,
          }),
          { abortSignal: opts.signal },
        ),
      );
      for (const p of page.CommonPrefixes ?? []) {
        const name = (p.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
        exists = true;
        if (name) entries.push({ path: joinRelative(rel, name), name, kind: 'dir', size: null, modifiedAt: null, etag: null });
      }
      for (const o of page.Contents ?? []) {
        exists = true;
        const name = (o.Key ?? '').slice(prefix.length);
        // `dir/` itself (a folder marker some consoles create) is the folder, not a file in it.
        if (name === '' || name.endsWith('/')) continue;
        entries.push({
          path: joinRelative(rel, name),
          name,
          kind: 'file',
          size: o.Size ?? null,
          modifiedAt: o.LastModified ? o.LastModified.toISOString() : null,
          etag: unquote(o.ETag),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (entries.length > limit) {
        truncated = true;
        break;
      }
    } while (token);
    if (!exists) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} does not exist in ${this.describe()}`);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { entries: entries.slice(0, limit), truncated: truncated || entries.length > limit };
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    if (rel === '') return null;
    try {
      const head = await this.call(rel, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.key(rel) }), { abortSignal: signal }),
      );
      return {
        path: rel,
        name: baseName(rel),
        kind: 'file',
        size: head.ContentLength ?? null,
        modifiedAt: head.LastModified ? head.LastModified.toISOString() : null,
        etag: unquote(head.ETag),
      };
    } catch (err) {
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND') return null;
      throw err;
    }
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = checkRelativePath(p);
    if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
    const res = await this.call(rel, () => this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(rel) }), { abortSignal: signal }));
    // In Node the SDK's body is the response stream itself (IncomingMessage): read as it arrives, never buffered.
    return res.Body as Readable;
  }

  async archive(p: string, to: string, opts: { move: boolean; signal?: AbortSignal }): Promise<void> {
    const from = checkRelativePath(p);
    const dest = checkRelativePath(to, 'to');
    if (from === '' || dest === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'archive needs a file and a target file, not the root');
    // CopyObject copies up to 5 GiB in one request (S3's limit); a larger file fails with the store's message.
    const source = `${this.config.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`;
    await this.call(from, () =>
      this.client.send(new CopyObjectCommand({ Bucket: this.config.bucket, Key: this.key(dest), CopySource: source }), { abortSignal: opts.signal }),
    );
    if (opts.move)
      await this.call(from, () => this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(from) }), { abortSignal: opts.signal }));
  }

  /**
   * One PutObject for a body under 8 MiB, else a multipart upload (8 MiB parts, two in flight): either
   * way the object appears only once complete, so a failed write leaves nothing at the key (an
   * incomplete multipart upload is aborted; a bucket lifecycle rule is the backstop if that fails too).
   * `overwrite: false` checks with HeadObject first (a clear refusal before any byte is sent) and, on
   * `s3`, also sends `If-None-Match: *` (AWS, MinIO: a writer racing in between is refused with 412); the
   * S3-compatible stores behind `gcs` do not all honour it, so there the check is HeadObject only.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    const key = this.key(rel);
    let upload: Upload | undefined;
    return attempt
      .run(
        async () => {
          if (opts.overwrite === false && (await this.stat(rel, opts.signal))) throw existsError(rel, this.describe());
          const abort = new AbortController();
          upload = new Upload({
            client: this.client,
            params: {
              Bucket: this.config.bucket,
              Key: key,
              Body: attempt.counted,
              ContentType: opts.contentType,
              ...(opts.overwrite === false && this.type === 's3' ? { IfNoneMatch: '*' } : {}),
            },
            partSize: WRITE_PART_SIZE,
            queueSize: WRITE_QUEUE_SIZE,
            abortController: abort,
            // Aborted below: lib-storage's own abort would replace the real cause with the abort's failure.
            leavePartsOnError: true,
          });
          const onAbort = () => abort.abort();
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          try {
            await upload.done();
          } finally {
            opts.signal?.removeEventListener('abort', onAbort);
          }
          return { bytes: attempt.bytes };
        },
        (err) => {
          const name = (err as { name?: string }).name;
          if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412 || name === 'PreconditionFailed')
            return existsError(rel, this.describe());
          return this.error(err, rel);
        },
      )
      .catch(async (err: unknown) => {
        const uploadId = upload?.uploadId;
        if (uploadId)
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.config.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
        throw err;
      });
  }

  async delete(p: string, signal?: AbortSignal): Promise<void> {
    const rel = checkRelativePath(p);
    if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
    // S3 answers 204 for a missing key too: deleting twice is not an error.
    await this.call(rel, () => this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(rel) }), { abortSignal: signal }));
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  private key(rel: string): string {
    return joinRelative(this.root, rel);
  }

  /** The key prefix of a folder: `root/dir/` ('' for the bucket's top). */
  private folderKey(rel: string): string {
    const k = this.key(rel);
    return k === '' ? '' : `${k}/`;
  }

  private describe(): string {
    return `${this.label} bucket "${this.config.bucket}"${this.root ? ` under "${this.root}/"` : ''} at ${this.where}`;
  }

  private async call<T>(rel: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.error(err, rel);
    }
  }

  private error(err: unknown, rel: string): LocationError {
    const net = networkLocationError(err, `${this.label} endpoint`, this.where);
    if (net) return net;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (err as { name?: string }).name ?? '';
    if (name === 'NoSuchBucket')
      return new LocationError('FF_LOCATION_NOT_FOUND', `${this.label} bucket "${this.config.bucket}" does not exist at ${this.where}`);
    if (status === 404 || name === 'NotFound' || name === 'NoSuchKey') {
      return new LocationError('FF_LOCATION_NOT_FOUND', `${rel || '/'} does not exist in ${this.describe()}`);
    }
    if (status === 401 || status === 403 || AUTH_ERRORS.test(name)) {
      return new LocationError(
        'FF_LOCATION_AUTH',
        `${this.where} refused access to ${this.label} bucket "${this.config.bucket}" (HTTP ${status ?? 403}${name ? ` ${name}` : ''}): check the keys and the bucket's policy`,
      );
    }
    if (status === 301 || name === 'PermanentRedirect') {
      return new LocationError(
        'FF_LOCATION_FAILED',
        `${this.label} bucket "${this.config.bucket}" lives in another region than "${this.config.region ?? 'us-east-1'}"`,
        false,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    return new LocationError('FF_LOCATION_FAILED', `${this.describe()}: ${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${message}`);
  }
}

function unquote(etag: string | undefined): string | null {
  return etag ? etag.replace(/^"(.*)"$/, '$1') : null;
}
