import {
  AnonymousCredential,
  BlobServiceClient,
  newPipeline,
  RestError,
  StorageSharedKeyCredential,
  type ContainerClient,
  type RequestPolicy,
  type RequestPolicyFactory,
  type WebResource,
} from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { guardedAgents } from './guarded-http';
import { LocationError } from './location.errors';
import { networkLocationError } from './location-network';
import { baseName, checkRelativePath, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { beginWrite, existsError, type WriteOptions, type WriteResult } from './location-write';
import { resolvePublicTarget } from './network-guard';

/** The catalog's `azure` config: one of accountKey, sasToken, connectionString authenticates. */
export interface AzureLocationConfig {
  account: string;
  container: string;
  /** The location's root inside the container (a folder: blobs under `prefix/`). */
  prefix?: string;
  accountKey?: string;
  sasToken?: string;
  connectionString?: string;
  /** The blob service URL when not https://<account>.blob.core.windows.net (Azurite, sovereign clouds, private endpoints). */
  endpoint?: string;
  allowPrivateNetworks?: boolean;
}

const AUTH_CODES =
  /^(AuthenticationFailed|AuthorizationFailure|AuthorizationPermissionMismatch|AuthorizationResourceTypeMismatch|InvalidAuthenticationInfo|NoAuthenticationInformation|InsufficientAccountPermissions)$/;

/** Block size of writes: 8 MiB blocks, two staged at a time (~16 MiB of memory per write; 50,000 blocks = 400 GB at most). */
const WRITE_BLOCK_SIZE = 8 * 1024 * 1024;
const WRITE_CONCURRENCY = 2;

/**
 * Parses the parts of an Azure Storage connection string a blob client needs. Messages name the missing
 * key, never the string (it carries the account key).
 */
function fromConnectionString(cs: string, account: string): { url: string; key?: string; sas?: string } {
  const parts = new Map<string, string>();
  for (const piece of cs.split(';')) {
    const i = piece.indexOf('=');
    if (i > 0) parts.set(piece.slice(0, i).trim().toLowerCase(), piece.slice(i + 1).trim());
  }
  const name = parts.get('accountname') ?? account;
  const url =
    parts.get('blobendpoint') ?? `${parts.get('defaultendpointsprotocol') ?? 'https'}://${name}.blob.${parts.get('endpointsuffix') ?? 'core.windows.net'}`;
  const key = parts.get('accountkey');
  const sas = parts.get('sharedaccesssignature');
  if (!key && !sas) throw new LocationError('FF_LOCATION_AUTH', 'config.connectionString has neither AccountKey nor SharedAccessSignature', false);
  try {
    if (!['http:', 'https:'].includes(new URL(url).protocol)) throw new Error('not http(s)');
  } catch {
    // The URL is not echoed: it came from a secret.
    throw new LocationError(
      'FF_LOCATION_FAILED',
      'config.connectionString names no valid http(s) blob endpoint (BlobEndpoint, or DefaultEndpointsProtocol and EndpointSuffix)',
      false,
    );
  }
  return { url, key, sas };
}

/**
 * A container (below an optional prefix) of Azure Blob Storage. Blob name prefixes ending in `/` are the
 * folders (listBlobsByHierarchy); archive is a server-side copy (+ delete for a move). The endpoint's host
 * is judged by the outbound address guard before each call (a clear FF_LOCATION_REFUSED), and every socket
 * the SDK opens (redirects included) passes the guard again where it connects.
 */
export class AzureBlobLocation implements FileLocation {
  readonly type = 'azure';
  private readonly container: ContainerClient;
  private readonly agents: ReturnType<typeof guardedAgents>;
  private readonly root: string;
  private readonly host: string;
  private readonly hostname: string;

  constructor(private readonly config: AzureLocationConfig) {
    this.root = checkRelativePath(config.prefix ?? '', 'prefix');
    this.agents = guardedAgents(config.allowPrivateNetworks === true);
    let url = config.endpoint ?? `https://${config.account}.blob.core.windows.net`;
    let key = config.accountKey;
    let sas = config.sasToken;
    if (config.connectionString) ({ url, key, sas } = fromConnectionString(config.connectionString, config.account));
    const credential = key ? new StorageSharedKeyCredential(config.account, key) : new AnonymousCredential();
    // Retries are the caller's decision (LocationError.retryable).
    const pipeline = newPipeline(credential, { retryOptions: { maxTries: 1 } });
    const agents = this.agents;
    // Every request (and every redirect of it) leaves through the guarded agents.
    const guard: RequestPolicyFactory = {
      create: (next: RequestPolicy): RequestPolicy => ({
        sendRequest: (request: WebResource) => {
          request.agent = request.url.startsWith('https:') ? agents.httpsAgent : agents.httpAgent;
          return next.sendRequest(request);
        },
      }),
    };
    pipeline.factories.push(guard);
    const base = url.replace(/\/+$/, '');
    const service = new BlobServiceClient(sas ? `${base}?${sas.replace(/^\?/, '')}` : base, pipeline);
    this.host = new URL(base).host;
    this.hostname = new URL(base).hostname;
    this.container = service.getContainerClient(config.container);
  }

  async test(signal?: AbortSignal): Promise<void> {
    // Listing one blob proves the container exists (ContainerNotFound) and may be listed, which browsing and
    // selection need; Get Container Properties is not used: a container SAS may not call it.
    await this.call('', () =>
      this.container
        .listBlobsByHierarchy('/', { prefix: this.folderKey(''), abortSignal: signal })
        .byPage({ maxPageSize: 1 })
        .next(),
    );
  }

  async list(dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<Listing> {
    const rel = checkRelativePath(dir, 'dir');
    const prefix = this.folderKey(rel);
    const limit = opts.limit ?? 1000;
    const entries: FileEntry[] = [];
    let exists = rel === '';
    let truncated = false;
    await this.call(rel, async () => {
      const pages = this.container.listBlobsByHierarchy('/', { prefix, abortSignal: opts.signal }).byPage({ maxPageSize: Math.min(5000, limit + 1) });
      for await (const page of pages) {
        for (const p of page.segment.blobPrefixes ?? []) {
          exists = true;
          const name = p.name.slice(prefix.length).replace(/\/$/, '');
          if (name) entries.push({ path: joinRelative(rel, name), name, kind: 'dir', size: null, modifiedAt: null, etag: null });
        }
        for (const b of page.segment.blobItems) {
          exists = true;
          const name = b.name.slice(prefix.length);
          if (name === '' || name.endsWith('/')) continue;
          entries.push({
            path: joinRelative(rel, name),
            name,
            kind: 'file',
            size: b.properties.contentLength ?? null,
            modifiedAt: b.properties.lastModified ? b.properties.lastModified.toISOString() : null,
            etag: unquote(b.properties.etag),
          });
        }
        if (entries.length > limit) {
          truncated = true;
          break;
        }
      }
    });
    if (!exists) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} does not exist in ${this.describe()}`);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { entries: entries.slice(0, limit), truncated: truncated || entries.length > limit };
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    if (rel === '') return null;
    try {
      const props = await this.call(rel, () => this.container.getBlobClient(this.key(rel)).getProperties({ abortSignal: signal }));
      return {
        path: rel,
        name: baseName(rel),
        kind: 'file',
        size: props.contentLength ?? null,
        modifiedAt: props.lastModified ? props.lastModified.toISOString() : null,
        etag: unquote(props.etag),
      };
    } catch (err) {
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND') return null;
      throw err;
    }
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = checkRelativePath(p);
    if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
    // The SDK's Node body resumes a broken download from where it stopped (pinned to the blob's ETag, so a
    // blob replaced meanwhile fails instead of mixing versions): still a stream, never buffered.
    const res = await this.call(rel, () => this.container.getBlobClient(this.key(rel)).download(0, undefined, { abortSignal: signal, maxRetryRequests: 3 }));
    if (!res.readableStreamBody) throw new LocationError('FF_LOCATION_FAILED', `${rel}: the blob service answered without a body`);
    return res.readableStreamBody as Readable;
  }

  async archive(p: string, to: string, opts: { move: boolean; signal?: AbortSignal }): Promise<void> {
    const from = checkRelativePath(p);
    const dest = checkRelativePath(to, 'to');
    if (from === '' || dest === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'archive needs a file and a target file, not the root');
    const source = this.container.getBlobClient(this.key(from));
    await this.call(from, async () => {
      // Same account: the copy is authorised by this location's credentials and usually completes at once.
      const poller = await this.container.getBlobClient(this.key(dest)).beginCopyFromURL(source.url, { abortSignal: opts.signal, intervalInMs: 500 });
      const done = await poller.pollUntilDone();
      if (done.copyStatus && done.copyStatus !== 'success')
        throw new LocationError('FF_LOCATION_FAILED', `copying ${from} to ${dest} ended ${done.copyStatus}`);
      if (opts.move) await source.delete({ abortSignal: opts.signal });
    });
  }

  /**
   * Stages the body as blocks and commits the block list (BlockBlobClient.uploadStream): the blob changes
   * only at the commit, all at once, so a failed write leaves nothing (staged blocks never committed are
   * discarded by the service after a week). `overwrite: false` checks first (a clear refusal before any
   * byte is sent) and commits with `If-None-Match: *`, so a writer racing in between is refused too.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    return attempt.run(
      async () => {
        if (opts.overwrite === false && (await this.stat(rel, opts.signal))) throw existsError(rel, this.describe());
        await this.call(rel, async () => {
          try {
            await this.container.getBlockBlobClient(this.key(rel)).uploadStream(attempt.counted, WRITE_BLOCK_SIZE, WRITE_CONCURRENCY, {
              abortSignal: opts.signal,
              blobHTTPHeaders: opts.contentType ? { blobContentType: opts.contentType } : undefined,
              conditions: opts.overwrite === false ? { ifNoneMatch: '*' } : undefined,
            });
          } catch (err) {
            if (err instanceof RestError && (err.code === 'BlobAlreadyExists' || err.statusCode === 412 || err.code === 'ConditionNotMet'))
              throw existsError(rel, this.describe());
            throw err;
          }
        });
        return { bytes: attempt.bytes };
      },
      (err) => this.error(err, rel),
    );
  }

  async delete(p: string, signal?: AbortSignal): Promise<void> {
    const rel = checkRelativePath(p);
    if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
    await this.call(rel, () => this.container.getBlobClient(this.key(rel)).deleteIfExists({ abortSignal: signal }));
  }

  async close(): Promise<void> {
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  private key(rel: string): string {
    return joinRelative(this.root, rel);
  }

  private folderKey(rel: string): string {
    const k = this.key(rel);
    return k === '' ? '' : `${k}/`;
  }

  private describe(): string {
    return `Azure container "${this.config.container}"${this.root ? ` under "${this.root}/"` : ''} at ${this.host}`;
  }

  /** Runs one SDK call once the endpoint passed the guard; maps what fails to a LocationError. */
  private async call<T>(rel: string, fn: () => Promise<T>): Promise<T> {
    try {
      await resolvePublicTarget(this.hostname, this.config.allowPrivateNetworks === true);
      return await fn();
    } catch (err) {
      throw this.error(err, rel);
    }
  }

  private error(err: unknown, rel: string): LocationError {
    const net = networkLocationError(err, 'Azure blob service', this.host);
    if (net) return net;
    if (err instanceof RestError) {
      const status = err.statusCode;
      const code = err.code ?? '';
      if (code === 'ContainerNotFound')
        return new LocationError('FF_LOCATION_NOT_FOUND', `container "${this.config.container}" does not exist at ${this.host}`);
      if (status === 404 || code === 'BlobNotFound') return new LocationError('FF_LOCATION_NOT_FOUND', `${rel || '/'} does not exist in ${this.describe()}`);
      if (status === 401 || status === 403 || AUTH_CODES.test(code)) {
        return new LocationError(
          'FF_LOCATION_AUTH',
          `${this.host} refused access to container "${this.config.container}" (HTTP ${status ?? 403}${code ? ` ${code}` : ''}): check the account key, SAS token or connection string`,
        );
      }
      if (status === undefined) {
        return new LocationError('FF_LOCATION_UNREACHABLE', `Azure blob service at ${this.host}: ${code || 'request failed'} (${firstLine(err.message)})`);
      }
      return new LocationError('FF_LOCATION_FAILED', `${this.describe()}: HTTP ${status}${code ? ` ${code}` : ''}`, status >= 500);
    }
    return new LocationError('FF_LOCATION_FAILED', `${this.describe()}: ${err instanceof Error ? firstLine(err.message) : String(err)}`);
  }
}

function unquote(etag: string | undefined): string | null {
  return etag ? etag.replace(/^"(.*)"$/, '$1') : null;
}

/** Azure's messages carry a RequestId and Time on further lines: the first says what failed. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}
