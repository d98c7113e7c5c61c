import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform } from 'node:stream';
import { assertValidObjectKey, planListing } from './object-key';
import { ObjectNotFoundError, ObjectStoreError, type ObjectStoreErrorCode } from './object-store.errors';
import type { ListOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store.port';

const MIB = 1024 * 1024;
/** S3 rejects multipart parts below 5 MiB (except the last one). */
export const S3_MIN_PART_SIZE = 5 * MIB;
export const S3_DEFAULT_PART_SIZE = 8 * MIB;
const S3_MAX_DELETE_BATCH = 1000;

export interface S3ObjectStoreConfig {
  bucket: string;
  region: string;
  /** For S3-compatible servers (MinIO, s3rver, R2…). */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Omit to use the SDK's default provider chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Key prefix inside the bucket, e.g. `lake/`; keys given to the port are relative to it. */
  prefix?: string;
  /** Multipart part size in bytes; default 8 MiB, minimum 5 MiB. Memory per upload ≈ partSize × queueSize. */
  partSize?: number;
  /** Parts uploaded in parallel per `put` (default 2). */
  queueSize?: number;
  /** ListObjectsV2 page size (1..1000, default 1000); lower it only to exercise pagination in tests. */
  listPageSize?: number;
  /**
   * Keys per DeleteObjects request (1..1000, default 1000). 1 sends one DeleteObject per key, for
   * S3-compatible servers without a (working) multi-object delete.
   */
  deleteBatchSize?: number;
  /** SDK retry attempts (default 3). 1 = fail fast. */
  maxAttempts?: number;
  /** TCP connect timeout in ms (default 5000) so an unreachable endpoint fails fast instead of hanging. */
  connectionTimeoutMs?: number;
  /**
   * 'when_supported' (SDK default, sends CRC32 checksums) or 'when_required', for S3-compatible
   * servers that reject the SDK's flexible-checksum headers.
   */
  checksums?: 'when_supported' | 'when_required';
  /** Inject a preconfigured client (tests add middleware; apps may share one). Other client options are then ignored. */
  client?: S3Client;
}

/** S3 error codes that mean "the credentials or policy are wrong", not "the store is broken". */
const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'Forbidden']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly listPageSize: number;
  private readonly deleteBatchSize: number;
  private readonly endpointLabel: string;

  constructor(config: S3ObjectStoreConfig) {
    const bad = (msg: string) => new ObjectStoreError('FF_OBJECT_STORE_CONFIG', `S3 object store: ${msg}`);
    if (!config?.bucket) throw bad('"bucket" is required');
    if (!config.region && !config.client) throw bad('"region" is required');
    this.partSize = config.partSize ?? S3_DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < S3_MIN_PART_SIZE) {
      throw bad(`"partSize" must be an integer ≥ ${S3_MIN_PART_SIZE} bytes (5 MiB, the S3 minimum), got ${config.partSize}`);
    }
    this.queueSize = config.queueSize ?? 2;
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) throw bad(`"queueSize" must be a positive integer, got ${config.queueSize}`);
    this.listPageSize = config.listPageSize ?? 1000;
    if (!Number.isInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw bad(`"listPageSize" must be an integer in 1..1000, got ${config.listPageSize}`);
    }
    this.deleteBatchSize = config.deleteBatchSize ?? S3_MAX_DELETE_BATCH;
    if (!Number.isInteger(this.deleteBatchSize) || this.deleteBatchSize < 1 || this.deleteBatchSize > S3_MAX_DELETE_BATCH) {
      throw bad(`"deleteBatchSize" must be an integer in 1..1000, got ${config.deleteBatchSize}`);
    }
    const prefix = config.prefix ?? '';
    if (prefix !== '') assertValidObjectKey(prefix.replace(/\/$/, ''));
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.bucket = config.bucket;
    this.endpointLabel = config.endpoint ?? `AWS S3 (${config.region})`;

    if (config.client) {
      this.client = config.client;
    } else {
      const checksum = config.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
      const clientConfig: S3ClientConfig = {
        region: config.region,
        endpoint: config.endpoint,
        forcePathStyle: config.forcePathStyle,
        credentials: config.credentials,
        maxAttempts: config.maxAttempts ?? 3,
        requestChecksumCalculation: checksum,
        responseChecksumValidation: checksum,
        requestHandler: { connectionTimeout: config.connectionTimeoutMs ?? 5000 },
      };
      this.client = new S3Client(clientConfig);
    }
  }

  async put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<PutResult> {
    const fullKey = this.toS3Key(key);
    let size = 0;
    let source: Buffer | Readable = body;
    if (Buffer.isBuffer(body)) {
      size = body.length;
    } else {
      // Count on the way through; lib-storage slices the stream into parts of `partSize`.
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      body.once('error', (err) => counter.destroy(err));
      source = body.pipe(counter);
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: fullKey, Body: source, ContentType: opts?.contentType },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // We abort ourselves: lib-storage's own abort replaces the real cause with the abort's error when
      // AbortMultipartUpload fails (s3rver does not implement it), hiding why the upload failed.
      leavePartsOnError: true,
    });
    try {
      const res = await upload.done();
      return { key, size, etag: res.ETag };
    } catch (err) {
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      if (upload.uploadId) {
        // Best effort: parts of an incomplete multipart upload are invisible but billed; a bucket
        // lifecycle rule (AbortIncompleteMultipartUpload) is the backstop when this fails too.
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, UploadId: upload.uploadId })).catch(() => undefined);
      }
      throw this.wrap('put', key, err);
    }
  }

  async get(key: string): Promise<Readable> {
    const fullKey = this.toS3Key(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      if (res.Body instanceof Readable) return res.Body;
      throw new ObjectStoreError('FF_OBJECT_STORE', `get "${key}" from ${this.where()}: response body is not a Node.js stream`);
    } catch (err) {
      throw this.wrap('get', key, err);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const fullKey = this.toS3Key(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      return {
        key,
        size: res.ContentLength ?? 0,
        lastModified: res.LastModified ?? new Date(0),
        etag: res.ETag,
        contentType: res.ContentType,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.wrap('head', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.toS3Key(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (err) {
      if (isNotFound(err)) return; // S3 itself is idempotent; some compatible servers are not
      throw this.wrap('delete', key, err);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    const fullKeys = keys.map((k) => this.toS3Key(k)); // validate all before deleting any
    if (this.deleteBatchSize === 1) {
      for (const key of keys) await this.delete(key);
      return;
    }
    for (let i = 0; i < fullKeys.length; i += this.deleteBatchSize) {
      const batch = fullKeys.slice(i, i + this.deleteBatchSize);
      let errors: { Key?: string; Code?: string; Message?: string }[] | undefined;
      try {
        const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        errors = res.Errors?.filter((e) => e.Code !== 'NoSuchKey');
      } catch (err) {
        throw this.wrap('deleteMany', `${batch.length} keys from "${this.fromS3Key(batch[0])}"`, err);
      }
      if (errors && errors.length > 0) {
        const first = errors[0];
        throw new ObjectStoreError(
          'FF_OBJECT_STORE',
          `deleteMany in ${this.where()} failed for ${errors.length} key(s), first "${this.fromS3Key(first.Key ?? '')}": ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  async *list(prefix: string, opts?: ListOptions): AsyncIterable<ObjectInfo> {
    const plan = planListing(prefix, opts);
    let token: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + plan.listPrefix,
            Delimiter: plan.recursive ? undefined : '/',
            MaxKeys: this.listPageSize,
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw this.wrap('list', `prefix "${prefix}"`, err, true);
      }
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined) continue;
        const key = this.fromS3Key(o.Key);
        if (!plan.matches(key)) continue;
        yield { key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), etag: o.ETag };
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  async copy(from: string, to: string): Promise<void> {
    const src = this.toS3Key(from);
    const dst = this.toS3Key(to);
    try {
      // CopySource is "bucket/key", URL-encoded per segment. Single-request copy is limited to 5 GiB.
      const copySource = `${this.bucket}/${src.split('/').map(encodeURIComponent).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: dst, CopySource: copySource }));
    } catch (err) {
      if (!isNotFound(err)) throw this.wrap('copy', `${from} -> ${to}`, err, true);
      // Some S3-compatible servers mis-decode a correctly encoded CopySource (s3rver uses decodeURI,
      // so '+', '=', '@'… in keys are not found). If the source does exist, copy through this process.
      if ((await this.head(from)) === null) throw new ObjectNotFoundError(from, this.where(), { cause: err });
      const body = await this.get(from);
      await this.put(to, body);
    }
  }

  private toS3Key(key: string): string {
    assertValidObjectKey(key);
    return this.prefix + key;
  }

  private fromS3Key(s3Key: string): string {
    return s3Key.startsWith(this.prefix) ? s3Key.slice(this.prefix.length) : s3Key;
  }

  private where(): string {
    return `bucket "${this.bucket}" at ${this.endpointLabel}`;
  }

  /**
   * One message shape for every backend failure: operation, key, bucket, endpoint and S3's own code.
   * Built from fields we choose, so credentials (never part of those fields) cannot leak into it.
   */
  private wrap(op: string, key: string, err: unknown, keyIsDescribed = false): Error {
    if (err instanceof ObjectStoreError) return err;
    if (isNotFound(err) && op !== 'put' && !keyIsDescribed) return new ObjectNotFoundError(key, this.where(), { cause: err });
    const e = err as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const s3Code = e?.Code ?? e?.name ?? 'Error';
    // The SDK wraps errors from another realm (e.g. under jest) as "AWS SDK error wrapper for Error:
    // connect ECONNREFUSED …", dropping `code`; the message still carries it.
    const netCode = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code ?? /\b(E[A-Z]{4,}|TimeoutError)\b/.exec(e?.message ?? '')?.[1];
    let code: ObjectStoreErrorCode = 'FF_OBJECT_STORE';
    if (AUTH_CODES.has(s3Code) || e?.$metadata?.httpStatusCode === 403) code = 'FF_OBJECT_STORE_AUTH';
    else if ((netCode && NETWORK_CODES.has(netCode)) || NETWORK_CODES.has(s3Code)) code = 'FF_OBJECT_STORE_UNREACHABLE';
    const target = keyIsDescribed ? key : `"${key}"`;
    const status = e?.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    const detail = [netCode && netCode !== s3Code ? netCode : null, s3Code, e?.message].filter(Boolean).join(' ');
    return new ObjectStoreError(code, `${op} ${target} failed on ${this.where()}: ${detail}${status}`, { cause: err });
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.Code === 'NoSuchKey' || (e?.name !== 'NoSuchBucket' && e?.$metadata?.httpStatusCode === 404);
}
