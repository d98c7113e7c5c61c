import type { ColumnSchema, LakeTableRef, TableStats } from '@flowforge/engine';
import type { HostRuntime } from '@flowforge/service-kit';
import { JobError } from '../job.error';

/** The attempt a call is made for: sent as headers, audited by the catalog with a secret read. */
export interface StepCall {
  runId: string;
  stepId: string;
  attempt: number;
  signal?: AbortSignal;
}

/** A connection as the executor-only route returns it: secrets included (never log it). */
export interface ExecutorConnection {
  id: string;
  name: string;
  type: string;
  version: number;
  config: Record<string, unknown>;
}

export interface SnapshotInfo {
  id: string;
  sequence: number;
  rowCount: number;
  schema: ColumnSchema[];
}

export interface SnapshotDetail extends SnapshotInfo {
  assetId: string;
  files: { path: string; rows: number; bytes: number }[];
}

export interface AssetInfo {
  id: string;
  currentSnapshot: SnapshotInfo | null;
}

export interface SourceInput {
  connection: string;
  path: string;
  size: number | null;
  etag: string | null;
}

/** A lake snapshot a commit was computed from (the catalog checks it and names its table). */
export interface SourceSnapshot {
  assetId: string;
  snapshotId: string;
}

export interface CommitBody {
  layer: string;
  namespace: string;
  table: string;
  parentSnapshotId: string | null;
  mode: 'overwrite' | 'append';
  files: { path: string; rows: number; bytes: number }[];
  schema: ColumnSchema[];
  stats: TableStats;
  rowCount: number;
  runId: string;
  idempotencyKey: string;
  inputs: SourceInput[];
  sourceSnapshots?: SourceSnapshot[];
}

interface Problem {
  code?: string;
  detail?: string;
}

/**
 * An executor's calls to the catalog's internal API: connections through the executor-only route
 * (internal token + executor credential + the attempt's ids), assets, snapshots and commits with the
 * internal token. Failures become JobErrors: refusals (404, 400) are not retryable, conflicts and outages are.
 * Services wrap it in an injectable (services/ingestion, services/transformation).
 */
export class LakeCatalogClient {
  constructor(
    protected readonly runtime: HostRuntime,
    private readonly opts: { executor: string; baseUrl?: string },
  ) {}

  private get base(): string {
    return (this.opts.baseUrl ?? this.runtime.defaultServiceUrl('catalog')).replace(/\/$/, '');
  }

  async connection(name: string, call: StepCall): Promise<ExecutorConnection> {
    return this.request<ExecutorConnection>('GET', `/internal/catalog/executor/connections/by-name/${encodeURIComponent(name)}`, {
      headers: {
        ...this.runtime.executorHeaders(),
        'x-flowforge-executor': this.opts.executor,
        'x-flowforge-run-id': call.runId,
        'x-flowforge-step-id': call.stepId,
        'x-flowforge-attempt': String(call.attempt),
      },
      signal: call.signal,
      what: `reading connection "${name}"`,
    });
  }

  /** The live asset of a table, or null before its first commit. */
  async asset(ref: LakeTableRef, signal?: AbortSignal): Promise<AssetInfo | null> {
    const q = new URLSearchParams({ layer: ref.layer, namespace: ref.namespace, table: ref.table, limit: '1' });
    const found = await this.request<AssetInfo[]>('GET', `/internal/catalog/assets?${q}`, {
      signal,
      what: `looking up ${ref.layer}.${ref.namespace}.${ref.table}`,
    });
    return found[0] ?? null;
  }

  async snapshotFiles(assetId: string, snapshotId: string, signal?: AbortSignal): Promise<{ path: string; rows: number; bytes: number }[]> {
    const s = await this.request<{ files: { path: string; rows: number; bytes: number }[] }>(
      'GET',
      `/internal/catalog/assets/${assetId}/snapshots/${snapshotId}`,
      {
        signal,
        what: `reading snapshot ${snapshotId}`,
      },
    );
    return s.files;
  }

  /** An asset by id with its current snapshot (404 → FF_ASSET_NOT_FOUND, not retryable). */
  async assetById(assetId: string, signal?: AbortSignal): Promise<AssetInfo & { layer: string; namespace: string; table: string }> {
    return this.request('GET', `/internal/catalog/assets/${encodeURIComponent(assetId)}`, { signal, what: `reading asset ${assetId}` });
  }

  /** One snapshot of an asset with its schema and data files (404 → FF_SNAPSHOT_NOT_FOUND / FF_ASSET_NOT_FOUND, not retryable). */
  async snapshot(assetId: string, snapshotId: string, signal?: AbortSignal): Promise<SnapshotDetail> {
    return this.request<SnapshotDetail>('GET', `/internal/catalog/assets/${encodeURIComponent(assetId)}/snapshots/${encodeURIComponent(snapshotId)}`, {
      signal,
      what: `reading snapshot ${snapshotId}`,
    });
  }

  async commit(body: CommitBody, signal?: AbortSignal): Promise<{ snapshot: SnapshotInfo & { assetId: string }; created: boolean }> {
    return this.request('POST', '/internal/catalog/assets/commit', { body, signal, what: `committing ${body.layer}.${body.namespace}.${body.table}` });
  }

  private async request<T>(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; what: string },
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.runtime.internalHeaders(),
          ...opts.headers,
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (err) {
      opts.signal?.throwIfAborted();
      throw new JobError('FF_CATALOG_UNAVAILABLE', `${opts.what}: the catalog at ${this.base} did not answer (${(err as Error).message})`, { cause: err });
    }
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as T;
    let problem: Problem = {};
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      // not problem+json
    }
    const code = problem.code ?? `FF_CATALOG_HTTP_${res.status}`;
    const detail = `${opts.what}: the catalog answered ${res.status} ${code}${problem.detail ? `: ${problem.detail}` : ''}`;
    // 409 (a commit raced another writer) and 5xx may pass on another attempt; anything else is this config's fault.
    throw new JobError(code, detail, { retryable: res.status === 409 || res.status >= 500 });
  }
}
