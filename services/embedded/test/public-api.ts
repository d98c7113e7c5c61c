import { waitFor, type HostProcess } from './host-process';

/** The public run resource (`/api/v1/runs/{id}`), as far as the e2e tests read it. */
export interface PublicAttempt {
  attempt: number;
  state: string;
  executor: string;
  instanceId: string | null;
  dispatchedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  metrics: Record<string, number> | null;
}

export interface PublicStep {
  stepId: string;
  job: string;
  jobType: string;
  executor: string;
  state: string;
  attempt: number;
  reason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  outputs: Record<string, unknown> | null;
  progress: { attempt: number; percent: number | null; message: string | null; metrics: Record<string, number>; at: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: PublicAttempt[];
}

export interface PublicRun {
  id: string;
  workflow: string;
  workflowVersion: number;
  state: string;
  reason: string | null;
  /** Who started it: a user's name or `token:<name> (<owner>)`; cancelledBy likewise, null if nobody. */
  requestedBy: string;
  cancelledBy: string | null;
  idempotencyKey: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps?: PublicStep[];
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { field: string; message: string }[];
}

export interface ApiResponse<T> {
  status: number;
  contentType: string;
  body: T;
  text: string;
}

export const FINAL_RUN_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'];
export const isFinalRun = (r: PublicRun): boolean => FINAL_RUN_STATES.includes(r.state);
export const stepStates = (r: PublicRun): Record<string, string> => Object.fromEntries((r.steps ?? []).map((s) => [s.stepId, s.state]));
export const stepOf = (r: PublicRun, stepId: string): PublicStep => {
  const s = r.steps?.find((x) => x.stepId === stepId);
  if (!s) throw new Error(`run ${r.id} has no step "${stepId}": ${JSON.stringify(r.steps?.map((x) => x.stepId))}`);
  return s;
};

/**
 * A client of a running host's public REST API (`/api/v1/...`). It keeps the text of every response,
 * so a test can search them all (a secret must appear in none).
 */
export class PublicApi {
  readonly responses: string[] = [];
  /** Sent as `authorization: Bearer <token>` with every call once set: `api.token = await adminApiToken(api.base)` (@flowforge/testing). */
  token?: string;

  constructor(
    readonly base: string,
    /** The process behind `base`: waits stop early, with its output, when it exits. */
    public host?: HostProcess,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.auth, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.record<T>(res);
  }

  /** The authorization header every call sends (for a raw fetch or an SSE stream); empty without a token. */
  get auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** POST /api/v1/workflows/apply with a YAML body. */
  async apply<T = unknown>(yaml: string): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.base}/api/v1/workflows/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...this.auth },
      body: yaml,
    });
    return this.record<T>(res);
  }

  async startRun(workflow: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<ApiResponse<PublicRun>> {
    const res = await this.call<PublicRun>('POST', '/api/v1/runs', { workflow, ...extra }, headers);
    if (res.status !== 201 && res.status !== 200) throw new Error(`POST /api/v1/runs (${workflow}): ${res.status} ${res.text}`);
    return res;
  }

  /** The names of the registered job types (`GET /api/v1/job-types`). */
  async jobTypes(): Promise<string[]> {
    const res = await this.call<{ items: { type: string }[] }>('GET', '/api/v1/job-types');
    if (res.status !== 200) throw new Error(`GET /api/v1/job-types: ${res.status} ${res.text}`);
    return res.body.items.map((t) => t.type);
  }

  async getRun(id: string): Promise<PublicRun> {
    const res = await this.call<PublicRun>('GET', `/api/v1/runs/${id}`);
    if (res.status !== 200) throw new Error(`GET /api/v1/runs/${id}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** Polls the run until `until` holds (default: a final state). */
  async waitRun(id: string, until: (r: PublicRun) => boolean = isFinalRun, timeoutMs = 30_000): Promise<PublicRun> {
    let last: PublicRun | undefined;
    try {
      return await waitFor(
        `run ${id} to reach the expected state`,
        async () => {
          last = await this.getRun(id);
          return until(last) ? last : undefined;
        },
        timeoutMs,
        this.host,
      );
    } catch (err) {
      throw new Error(`${String(err).split('\n')[0]}\nlast seen: ${JSON.stringify(last, null, 2)}`);
    }
  }

  private async record<T>(res: Response): Promise<ApiResponse<T>> {
    const text = await res.text();
    this.responses.push(text);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // YAML, SSE or empty
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: body as T, text };
  }
}
