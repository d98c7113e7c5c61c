// The public REST API's shapes as the CLI reads them (services/gateway/src/{orchestration,catalog}/*.dto.ts
// and, for auth, tokens and audit, services/gateway/openapi.json are the source; the CLI is a client of
// the HTTP contract, not of the gateway's code). Audit entries are @flowforge/access's ChainedAuditRecord:
// the CLI re-checks their hashes with the same code that wrote them.

import type { ChainedAuditRecord } from '@flowforge/access';

export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const ASSET_LAYERS = ['bronze', 'silver', 'gold'] as const;

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export interface AppliedDocument {
  kind: 'Job' | 'Workflow';
  name: string;
  version: number;
  status: 'created' | 'updated' | 'unchanged';
}

export interface ApplyResult {
  documents: AppliedDocument[];
}

export interface AttemptView {
  attempt: number;
  state: string;
  executor: string;
  instanceId: string | null;
  dispatchedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface StepView {
  stepId: string;
  job: string;
  jobVersion: number;
  jobType: string;
  executor: string;
  state: string;
  attempt: number;
  reason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  outputs: Record<string, unknown> | null;
  nextAttemptAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: AttemptView[];
}

export interface RunView {
  id: string;
  workflow: string;
  workflowVersion: number;
  state: string;
  reason: string | null;
  params: Record<string, unknown>;
  /** A user name, `token:<name>`, `scheduler` or `trigger:<id>` (who started or re-ran it). */
  requestedBy: string;
  cancelledBy: string | null;
  idempotencyKey: string | null;
  parentRunId: string | null;
  rerunFrom: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deadlineAt: string | null;
  /** On single-run reads, not in lists. */
  steps?: StepView[];
}

export interface RunList {
  items: RunView[];
  nextCursor: string | null;
}

export interface LogLine {
  id: string;
  stepId: string;
  attempt: number;
  at: string;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface LogPage {
  /** Oldest first by `at`, whatever order the lines arrived in. */
  items: LogLine[];
  nextCursor: string | null;
  /** The run's newest stored line id when the page was read (where a follower resumes the stream). */
  latestId: string | null;
}

/** Payloads of the run event stream (GET /api/v1/runs/{id}/events). */
export interface RunChange {
  runId: string;
  from: string | null;
  to: string;
  reason: string | null;
  at: string;
}

export interface StepChange extends RunChange {
  stepId: string;
  attempt: number | null;
}

/** A `log` event: a log line without its id (the event id is the stream cursor). */
export type FeedLogLine = Omit<LogLine, 'id'>;

export interface RunEnd {
  runId: string;
  state: string;
  reason: string | null;
}

export interface ColumnView {
  name: string;
  type: string;
  nullable: boolean;
}

export interface SnapshotView {
  id: string;
  assetId: string;
  sequence: number;
  parentSnapshotId: string | null;
  operation: string;
  rowCount: number;
  fileCount: number;
  totalBytes: number;
  schemaVersion: number;
  schema: ColumnView[];
  stats: Record<string, { min: unknown; max: unknown; nullCount: number }>;
  runId: string | null;
  committedAt: string;
}

export interface AssetView {
  id: string;
  layer: string;
  namespace: string;
  table: string;
  currentSnapshot: SnapshotView | null;
  retention: { keepLast: number | null; maxAgeSeconds: number | null };
  createdAt: string;
  updatedAt: string;
}

export interface PreviewView {
  assetId: string;
  snapshotId: string;
  sequence: number;
  limit: number;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/** POST /auth/login and /auth/refresh. */
export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  /** Single use: each refresh returns a new one. */
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  user: { id: string; username: string; roles: string[]; mustChangePassword?: boolean };
}

/** GET /auth/whoami: who the gateway takes the caller for, whatever the credential. */
export interface WhoAmI {
  id: string;
  username: string;
  type: 'user' | 'token';
  via: 'builtin' | 'keycloak' | 'api-token';
  roles: string[];
  permissions: string[];
}

export interface ApiTokenView {
  id: string;
  name: string;
  ownerId: string;
  permissions: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** POST /tokens: the only answer that carries the token itself. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}

export const AUDIT_OUTCOMES = ['success', 'denied', 'error'] as const;

/** The filters of GET /audit/entries and /audit/export. */
export interface AuditFilters {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: string;
  /** ISO 8601 with an offset, inclusive. */
  since?: string;
  /** ISO 8601 with an offset, exclusive. */
  until?: string;
}

/** GET /audit/entries: oldest first; `nextAfterSeq` is null on the last page. */
export interface AuditEntryPage {
  items: ChainedAuditRecord[];
  nextAfterSeq: number | null;
}
