// Generated from services/gateway/openapi.json by npm run api-types:gen — do not edit.
// FlowForge, API 0.1.0: types only, no imports.

export interface AppliedDocumentDto {
  kind: 'Job' | 'Workflow' | 'Schedule' | 'Trigger';
  name: string;
  version: number;
  /** unchanged: the document equals the latest version; no version was created */
  status: 'created' | 'updated' | 'unchanged';
  /** A webhook trigger applied without a secret: the one the triggers service generated, answered this once */
  secret?: string;
}

export interface ApplyResultDto {
  documents: AppliedDocumentDto[];
}

export interface AsOfDto {
  /** Format: uuid. */
  assetId: string;
  /** Format: uuid. */
  snapshotId: string;
  /** Format: date-time. */
  ts: string;
  columns: ResultColumnDto[];
  /** The versions valid at ts */
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export interface AssetDto {
  /** Format: uuid. */
  id: string;
  layer: 'bronze' | 'silver' | 'gold';
  namespace: string;
  table: string;
  currentSnapshot: SnapshotDto | null;
  retention: RetentionPolicyDto;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
}

export interface AttemptDto {
  attempt: number;
  state: 'dispatched' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'lost' | 'cancelled';
  executor: string;
  /** The executor replica that ran it */
  instanceId: string | null;
  /** Format: date-time. */
  dispatchedAt: string;
  /** Format: date-time. */
  startedAt: string | null;
  /** Format: date-time. */
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Counters the executor returned with the outcome; null while the attempt runs or when it returned none */
  metrics: Record<string, number> | null;
}

export interface BackfillResultDto {
  schedule: string;
  /** Format: date-time. */
  from: string;
  /** Format: date-time. */
  to: string;
  requested: number;
  existing: number;
  skipped: number;
  runs: BackfillRunDto[];
}

export interface BackfillRunDto {
  /** Format: date-time. */
  fireTime: string;
  /** Format: uuid. */
  runId: string | null;
  /** `existing`: backfilled before */
  outcome: 'fired' | 'skipped' | 'existing';
  reason: string | null;
}

export interface BackfillScheduleDto {
  /** Inclusive; a date or a date-time without offset is read in the schedule’s time zone */
  from: string;
  /** Inclusive (a date: up to the end of that day) */
  to: string;
}

export interface CalendarDto {
  name: string;
  description: string | null;
  /** Sorted, each once */
  dates: string[];
  createdBy: string;
  updatedBy: string;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
}

export interface CancelRunDto {
  reason?: string;
}

export interface ChangePasswordDto {
  currentPassword: string;
  newPassword: string;
}

export interface ColumnDto {
  name: string;
  /** DuckDB type */
  type: string;
  nullable: boolean;
}

export interface ColumnStatsDto {
  min: string | number | boolean | null;
  max: string | number | boolean | null;
  nullCount: number;
}

export interface ConnectionBrowseDto {
  /** The folder listed, normalised (empty = the root) */
  path: string;
  /** Folders and files directly in it, sorted by name (object stores show key prefixes as folders) */
  entries: FileEntryDto[];
  /** More than 1000 entries: only the first are listed */
  truncated: boolean;
}

export interface ConnectionDto {
  /** Format: uuid. */
  id: string;
  name: string;
  type: 'postgres' | 'mysql' | 's3' | 'local' | 'sftp' | 'http' | 'kafka' | 'gcs' | 'azure' | 'ftp' | 'smb' | 'redshift' | 'synapse' | 'snowflake' | 'bigquery';
  description: string | null;
  /** The config with `{ "set": boolean }` in place of every secret field */
  config: Record<string, unknown>;
  /** Dot paths of this type’s secret fields */
  secretFields: string[];
  /** Incremented by every update */
  version: number;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
}

export interface ConnectionTestResultDto {
  ok: boolean;
  /** Round trip of the probe */
  latencyMs: number;
  message: string;
  /** Failure code */
  code?: string;
}

export interface CreateConnectionDto {
  /** 1-128 letters, digits, spaces, "_", "." or "-"; unique; not "uploads" (reserved) */
  name: string;
  type: 'postgres' | 'mysql' | 's3' | 'local' | 'sftp' | 'http' | 'kafka' | 'gcs' | 'azure' | 'ftp' | 'smb' | 'redshift' | 'synapse' | 'snowflake' | 'bigquery';
  description?: string | null;
  /** Type-specific settings. Secret fields (postgres/mysql/sftp/ftp/smb/redshift/synapse `password`, sftp `privateKey`/`passphrase`, s3 `secretAccessKey`, http `headers`/`token`, kafka `sasl.password`, gcs `hmacSecret`, azure `accountKey`/`sasToken`/`connectionString`, snowflake `password`/`privateKey`/`privateKeyPassphrase`, bigquery `credentials`) are write-only: responses show `{ "set": true|false }` instead. Every type with a host (postgres, mysql, s3 `endpoint`, sftp, ftp, smb, http, kafka, gcs, azure, redshift, synapse, snowflake) refuses loopback, private, link-local and cloud-metadata addresses unless `allowPrivateNetworks: true`, which only settings:configure-system may set (else 403 naming `config.allowPrivateNetworks`). A local `path` must lie in the configured roots (default `<FLOWFORGE_HOME>/landing`), symlinks resolved; else 400 naming `config.path`. */
  config: Record<string, unknown>;
}

export interface CreateRunDto {
  workflow: string;
  /** Absent: the latest version */
  workflowVersion?: number;
  /** Typed values or text; converted to the declared types */
  params?: Record<string, unknown>;
  /** Same key and same request, same run; reused for another workflow, version or parameters: 422 FF_RUN_IDEMPOTENCY_CONFLICT (also accepted as the Idempotency-Key header) */
  idempotencyKey?: string;
}

export interface CreateTokenDto {
  name: string;
  permissions: string[];
  /** Unset or null: never expires (discouraged; the console defaults to 90 days) */
  expiresInDays?: number | null;
}

export interface CreateUserDto {
  username: string;
  /** Format: email. */
  email?: string | null;
  displayName?: string | null;
  password: string;
  /** Default: []. */
  roles?: string[];
  mustChangePassword?: boolean;
}

export interface EchoAcceptedDto {
  /**
   * Poll GET /api/v1/system/echo/{id} with it
   * Format: uuid.
   */
  id: string;
}

export interface EchoRequestDto {
  message: string;
}

export interface EchoViewDto {
  /** Format: uuid. */
  id: string;
  message: string;
  handled: true;
  /** How many times the orchestrator handled the event (1: delivered once) */
  handledCount: number;
}

export interface ExportRecordDto {
  /** Format: uuid. */
  id: string;
  destination: string;
  sourceTable: string;
  /** Format: uuid. */
  sourceAssetId: string;
  /** Format: uuid. */
  snapshotId: string;
  /**
   * Incremental: the snapshot exported last time
   * Format: uuid.
   */
  sinceSnapshotId: string | null;
  mode: 'full' | 'incremental';
  rows: number;
  status: 'succeeded' | 'failed';
  error: string | null;
  runId: string | null;
  stepId: string | null;
  /** Format: date-time. */
  startedAt: string;
  /** Format: date-time. */
  finishedAt: string;
}

export interface ExpressionTestDto {
  /** The type of the expression */
  type: string;
  /** The sample rows with the value as `result` */
  rows: Record<string, unknown>[];
}

/** A derived-column expression checked against a schema and evaluated on sample rows */
export interface ExpressionTestRequest {
  expression: string;
  table?: string;
  schema?: {
    name: string;
    type: string;
  }[];
  rows?: Record<string, string | number | boolean | null>[];
  /** Default: 10. */
  limit?: number;
}

export interface FileEntryDto {
  /** Relative to the connection's root, `/`-separated */
  path: string;
  name: string;
  kind: 'file' | 'dir';
  /** Bytes; null for folders or when the store does not say */
  size: number | null;
  /** Format: date-time. */
  modifiedAt: string | null;
  /** ETag or checksum when the store has one */
  etag: string | null;
}

export interface FilterPreviewDto {
  kept: number;
  dropped: number;
  /** The condition as SQL */
  sql: string;
}

/** A row filter counted on a table: rows kept and dropped */
export interface FilterPreviewRequest {
  table: string;
  condition: Record<string, unknown>;
}

export interface FireDto {
  /**
   * The nominal fire time (before jitter)
   * Format: date-time.
   */
  fireTime: string;
  kind: 'schedule' | 'backfill';
  outcome: 'fired' | 'skipped' | 'buffered';
  /** Why it was skipped or buffered */
  reason: 'paused' | 'calendar' | 'overlap' | 'catchup_none' | 'catchup_latest' | 'misfire_cap' | null;
  /**
   * uuid v5 of the schedule, fire time and kind
   * Format: uuid.
   */
  runId: string | null;
  /** Last state run.state-changed reported */
  runState: string | null;
  runReason: string | null;
  /** FF_SCHEDULE_CONFLICT: runs of the same workflow from other schedules, or runs of another workflow writing a same lake asset, were active */
  warning: string | null;
  /**
   * When RunRequested was published
   * Format: date-time.
   */
  requestedAt: string | null;
  /** Format: date-time. */
  decidedAt: string;
}

export interface FiringDto {
  /** Format: uuid. */
  id: string;
  /** Format: date-time. */
  at: string;
  /** SHA-256 of the payload (hex) */
  payloadDigest: string;
  /** Where the event came from, unique per trigger (offset, file versions, signature) */
  dedupKey: string | null;
  matched: boolean;
  reason: string;
  params: Record<string, string> | null;
  /**
   * The run requested; null when it did not match
   * Format: uuid.
   */
  runId: string | null;
}

export interface FiringPageDto {
  /** Newest first */
  items: FiringDto[];
  total: number;
  limit: number;
  offset: number;
}

export interface HookAcceptedDto {
  /**
   * The run requested (it starts a moment later)
   * Format: uuid.
   */
  runId: string;
  /** Format: uuid. */
  firingId: string;
}

export interface InputSnapshotDto {
  table: string;
  /**
   * The snapshot read; null when the table does not exist yet
   * Format: uuid.
   */
  snapshot: string | null;
}

export interface JobDto {
  name: string;
  /** Versions are immutable; an edit creates the next one */
  version: number;
  type: string;
  description: string | null;
  config: Record<string, unknown>;
  /** Format: date-time. */
  createdAt: string;
}

export interface JobListDto {
  items: JobDto[];
}

export interface JobTypeDto {
  type: string;
  /** The executor whose topic runs it */
  executor: string;
  version: number;
  /** JSON Schema (2020-12) of the job config */
  configSchema: Record<string, unknown>;
  description: string | null;
  /** Format: date-time. */
  registeredAt: string;
}

export interface JobTypeListDto {
  items: JobTypeDto[];
}

export interface LogLineDto {
  stepId: string;
  attempt: number;
  /** Format: date-time. */
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | null;
  /** Arrival order within the run; the event stream's log cursor */
  id: string;
}

export interface LogPageDto {
  /** Oldest first by `at` (lines with the same `at` by id), whatever order they arrived in */
  items: LogLineDto[];
  /** Pass as `after` for the next page */
  nextCursor: string | null;
  /** The id of the run's newest stored line when this page was read. Lines arrive out of time order, so a follower reads the pages, then opens the event stream with `after=0.<latestId of its first page>` and skips the lines it printed already. */
  latestId: string | null;
}

export interface LoginDto {
  username: string;
  password: string;
  otp?: string;
  recoveryCode?: string;
}

export interface NextFireDto {
  /** Format: date-time. */
  fireTime: string;
  /** Wall-clock time in the schedule’s zone */
  local: string;
  /** The calendar excludes this date: it will be skipped */
  excluded: boolean;
}

export interface NextFiresDto {
  schedule: string;
  timezone: string;
  items: NextFireDto[];
}

export interface NotificationAcceptedDto {
  /** Object-created records taken */
  objects: number;
  /** The trigger runs in this process and looks now; false: another replica holds it, its next poll finds the objects */
  polledNow: boolean;
}

export interface PasswordResetDto {
  token: string;
  newPassword: string;
}

export interface PasswordResetRequestDto {
  /** Format: email. */
  email: string;
}

export interface PauseScheduleDto {
  note?: string;
}

export interface PreviewDto {
  /** Format: uuid. */
  assetId: string;
  /** Format: uuid. */
  snapshotId: string;
  sequence: number;
  limit: number;
  columns: {
    name: string;
    /** DuckDB type */
    type: string;
  }[];
  /** BIGINT and DECIMAL values as strings */
  rows: Record<string, unknown>[];
}

/** RFC 9457 problem details (application/problem+json). `code` is stable: match on it, not on `title` or `detail`. */
export interface Problem {
  /**
   * A URI naming the problem type
   * Format: uri.
   */
  type: string;
  title: string;
  /** The HTTP status, repeated */
  status: number;
  /** What happened, in words a user can act on */
  detail: string;
  /** The path that was called */
  instance: string;
  /** Stable error code */
  code: string;
  /** Validation problems: one entry per field */
  errors?: ProblemFieldError[];
}

export interface ProblemFieldError {
  field: string;
  message: string;
  /** 0-based character offset of the problem inside the field's text (an expression, a SQL query) */
  position?: number;
}

export interface PutCalendarDto {
  description?: string | null;
  /** Dates YYYY-MM-DD; a schedule naming the calendar skips its fire times on them (reason "calendar"), read in its own time zone */
  dates: string[];
}

export interface PutRoleDto {
  description?: string;
  permissions: string[];
}

export interface PutScheduleDto {
  workflow: string;
  /** Pinned workflow version; absent or null: the latest at each fire */
  workflowVersion?: number | null;
  description?: string | null;
  /** 5 fields (minute precision) or 6 (seconds first); `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`; L, W and # are understood. Exactly one of `cron` and `preset`. */
  cron?: string;
  /** Compiled to cron. Exactly one of `cron` and `preset`. */
  preset?: {
    every: 'day';
    at: string;
  } | {
    every: 'week';
    at: string;
    weekday: 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
  } | {
    every: 'month';
    at: string;
    day: number | 'last';
  };
  /**
   * IANA time zone the cron is read in (and excluded dates and backfill ranges)
   * Default: "UTC".
   */
  timezone?: string;
  /**
   * Run parameters (text, converted by the workflow). `${fireTime}` becomes the fire time (ISO, UTC), `${fireDate}` its date in the time zone.
   * Default: {}.
   */
  params?: Record<string, string>;
  /** Default: false. */
  paused?: boolean;
  pauseNote?: string | null;
  /** Pause after this many consecutive failed runs; absent or null: never */
  autoPauseAfterFailures?: number | null;
  /**
   * Fire times missed by more than the misfire grace (downtime): none are run, only the latest, or all up to `catchupCap`
   * Default: "latest".
   */
  catchup?: 'none' | 'latest' | 'all';
  /**
   * With catchup "all": the most missed fire times run, the newest
   * Default: 10.
   */
  catchupCap?: number;
  /**
   * Each fire is delayed by a fixed pseudo-random amount in [0, jitterMs] (the same for a given fire time)
   * Default: 0.
   */
  jitterMs?: number;
  /**
   * Dates (in the time zone) on which fire times are skipped (reason "calendar")
   * Default: [].
   */
  excludedDates?: string[];
  /**
   * Named calendars (GET /api/v1/calendars) whose dates are skipped like `excludedDates`; each must exist
   * Default: [].
   */
  calendars?: string[];
  /**
   * When a fire time comes while a run of this schedule is still active: skip it, keep one (or all) waiting, cancel the running one, or run side by side
   * Default: "skip".
   */
  overlap?: 'skip' | 'buffer_one' | 'buffer_all' | 'cancel_running' | 'allow';
}

/** A saved custom-SQL template */
export interface PutSqlTemplateRequest {
  /** Default: "". */
  description?: string;
  sql: string;
  /** Default: {}. */
  params?: Record<string, {
    type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';
    default?: string | number | boolean | null;
  }>;
}

export interface RefreshDto {
  refreshToken: string;
}

export interface RerunDto {
  /** Rerun this step and everything downstream; absent: every failed, timed-out, cancelled or upstream-failed step */
  fromStep?: string;
}

export interface ResultColumnDto {
  name: string;
  type: string;
}

export interface RetentionDto {
  /** Keep the last N snapshots (null clears the rule) */
  keepLast?: number | null;
  /** Keep snapshots younger than this (null clears the rule) */
  maxAgeSeconds?: number | null;
}

export interface RetentionPolicyDto {
  keepLast: number | null;
  maxAgeSeconds: number | null;
}

export interface RetentionReportDto {
  /** Format: uuid. */
  assetId: string;
  policy: RetentionPolicyDto;
  expiredSnapshotIds: string[];
  keptSnapshots: number;
  deletedFiles: string[];
}

/** A `run` event: the run changed state */
export interface RunChangeEventDto {
  /** Format: uuid. */
  runId: string;
  /** null on the first transition */
  from: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | null;
  to: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
  reason: string | null;
  /** Format: date-time. */
  at: string;
}

export interface RunDto {
  /** Format: uuid. */
  id: string;
  workflow: string;
  workflowVersion: number;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
  reason: string | null;
  params: Record<string, unknown>;
  /** Who started the run (a rerun: who re-ran it): a user name, `token:<token name> (<owner>)` for an API token, `scheduler`, or `trigger:<id>` */
  requestedBy: string;
  /** Who cancelled the run, in the same form; null unless a caller cancelled it */
  cancelledBy: string | null;
  idempotencyKey: string | null;
  /**
   * Set on a rerun: the run it reruns
   * Format: uuid.
   */
  parentRunId: string | null;
  rerunFrom: string | null;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  startedAt: string | null;
  /** Format: date-time. */
  finishedAt: string | null;
  /**
   * When the run times out
   * Format: date-time.
   */
  deadlineAt: string | null;
  /** On single-run reads */
  steps?: StepDto[];
}

/** The `end` event, last of the stream: the run is final and every line logged before it was sent */
export interface RunEndEventDto {
  /** Format: uuid. */
  runId: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
  reason: string | null;
}

export interface RunListDto {
  items: RunDto[];
  /** Pass as `before` for the next page */
  nextCursor: string | null;
}

/** A `log` event: a log line without its id (the event id is the stream cursor) */
export interface RunLogEventDto {
  stepId: string;
  attempt: number;
  /** Format: date-time. */
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | null;
}

export interface SaveJobDto {
  /** Must equal the name in the URL when given */
  name?: string;
  /** A job type an executor announced (GET /api/v1/job-types) */
  type: string;
  description?: string;
  /** Validated against the type's configSchema */
  config?: Record<string, unknown>;
}

export interface SaveTriggerDto {
  /** The workflow each firing runs (its latest version) */
  workflow: string;
  /** webhook, kafka, rabbitmq, file, and any other type GET /api/v1/trigger-types lists */
  type: string;
  description?: string | null;
  /**
   * The type's settings, checked against its schema (GET /api/v1/trigger-types). Secret fields (a webhook's `secret`, a broker `password`) are stored encrypted and never answered; left out of an edit, they are kept
   * Default: {}.
   */
  config?: Record<string, unknown>;
  /**
   * Run parameter -> `${payload.<path>}`, `${meta.<name>}`, text holding such references, or a literal
   * Default: {}.
   */
  params?: Record<string, string>;
  /** Default: true. */
  enabled?: boolean;
}

export interface SaveWorkflowDto {
  /** Must equal the name in the URL when given */
  name?: string;
  description?: string;
  tags?: string[];
  parameters?: Record<string, unknown>[];
  steps: Record<string, unknown>[];
  /** overlap: allow | skip | queue | cancel_running */
  concurrency?: Record<string, unknown>;
  /** Run timeout in ms */
  timeoutMs?: number;
}

export interface SavedJobDto {
  status: 'created' | 'updated' | 'unchanged';
  job: JobDto;
}

export interface SavedTriggerDto {
  /** Format: uuid. */
  id: string;
  name: string;
  description: string | null;
  workflow: string;
  type: string;
  /** The type’s settings, defaults filled, with `{ "set": true }` in place of every secret field */
  config: Record<string, unknown>;
  params: Record<string, string>;
  enabled: boolean;
  /** Incremented by every edit (the source restarts) */
  version: number;
  /** Webhook triggers: where deliveries are POSTed */
  hookPath: string | null;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
  /** Only when created with auth hmac and no secret: the generated secret, answered this once */
  secret?: string;
}

export interface SavedWorkflowDto {
  status: 'created' | 'updated' | 'unchanged';
  workflow: WorkflowDto;
}

export interface ScheduleDto {
  /** Format: uuid. */
  id: string;
  name: string;
  workflow: string;
  /** Pinned version; null: the latest at each fire */
  workflowVersion: number | null;
  description: string | null;
  /** The cron fired (a preset compiled) */
  cron: string;
  preset: Record<string, unknown> | null;
  timezone: string;
  params: Record<string, string>;
  paused: boolean;
  pauseNote: string | null;
  /** Format: date-time. */
  pausedAt: string | null;
  /** Who paused it (`scheduler` for an auto-pause) */
  pausedBy: string | null;
  autoPauseAfterFailures: number | null;
  /** Failed runs in a row (reset by a success and by resume) */
  consecutiveFailures: number;
  catchup: 'none' | 'latest' | 'all';
  catchupCap: number;
  jitterMs: number;
  excludedDates: string[];
  /** Named calendars whose dates are skipped too */
  calendars: string[];
  overlap: 'skip' | 'buffer_one' | 'buffer_all' | 'cancel_running' | 'allow';
  /**
   * Null when the cron has no future time
   * Format: date-time.
   */
  nextFireAt: string | null;
  createdBy: string;
  updatedBy: string;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
  /** PUT and GET one: FF_SCHEDULE_CONFLICT warnings — another schedule of the same workflow, or a schedule of another workflow that wrote a same lake asset (learned from the assets committed by runs), fires within 5 minutes of this one in the next day; a warning names both schedules, both workflows, the assets (layer.namespace.table) and the times */
  warnings?: string[];
}

export interface ScheduleHistoryDto {
  schedule: string;
  /** Newest first */
  items: FireDto[];
}

export interface ScheduleListDto {
  items: ScheduleDto[];
}

export interface SchemaChangeDto {
  added: string[];
  removed: string[];
  changed: {
    name: string;
    from: string;
    to: string;
  }[];
  reordered: boolean;
}

export interface SchemaVersionDto {
  version: number;
  schema: ColumnDto[];
  changes: SchemaChangeDto;
  /**
   * The snapshot whose commit introduced this schema
   * Format: uuid.
   */
  introducedBySnapshotId: string;
  /** Format: date-time. */
  createdAt: string;
}

export interface SetPasswordDto {
  password: string;
  /**
   * true (default): the user must change it at the next sign-in
   * Default: true.
   */
  temporary?: boolean;
}

export interface SnapshotDetailDto {
  /** Format: uuid. */
  id: string;
  /** Format: uuid. */
  assetId: string;
  /** 1, 2, 3… per asset */
  sequence: number;
  /** Format: uuid. */
  parentSnapshotId: string | null;
  operation: 'overwrite' | 'append';
  rowCount: number;
  fileCount: number;
  totalBytes: number;
  schemaVersion: number;
  schema: ColumnDto[];
  /** Per column, computed by DuckDB */
  stats: Record<string, ColumnStatsDto>;
  /** Run that produced it */
  runId: string | null;
  /** Format: date-time. */
  committedAt: string;
  /** Source files read to make it (ingestion) */
  inputs: SnapshotSourceFileDto[];
  /** Lake snapshots read to compute it (transformation): with inputs, what reproduces it */
  sourceSnapshots: SnapshotSourceDto[];
  files: SnapshotFileDto[];
}

export interface SnapshotDto {
  /** Format: uuid. */
  id: string;
  /** Format: uuid. */
  assetId: string;
  /** 1, 2, 3… per asset */
  sequence: number;
  /** Format: uuid. */
  parentSnapshotId: string | null;
  operation: 'overwrite' | 'append';
  rowCount: number;
  fileCount: number;
  totalBytes: number;
  schemaVersion: number;
  schema: ColumnDto[];
  /** Per column, computed by DuckDB */
  stats: Record<string, ColumnStatsDto>;
  /** Run that produced it */
  runId: string | null;
  /** Format: date-time. */
  committedAt: string;
  /** Source files read to make it (ingestion) */
  inputs: SnapshotSourceFileDto[];
  /** Lake snapshots read to compute it (transformation): with inputs, what reproduces it */
  sourceSnapshots: SnapshotSourceDto[];
}

export interface SnapshotFileDto {
  path: string;
  rows: number;
  bytes: number;
}

export interface SnapshotSourceDto {
  /** Format: uuid. */
  assetId: string;
  /** Format: uuid. */
  snapshotId: string;
  layer: 'bronze' | 'silver' | 'gold';
  namespace: string;
  table: string;
}

export interface SnapshotSourceFileDto {
  /** Catalog connection the file was read through */
  connection: string;
  /** Path relative to the connection's root */
  path: string;
  size: number | null;
  etag: string | null;
}

export interface SqlDryRunDto {
  /** DuckDB's plan (EXPLAIN) */
  plan: string;
  columns: ResultColumnDto[];
  rows: Record<string, unknown>[];
}

export interface SqlParamDto {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';
  /** Used when no value is given */
  default?: Record<string, unknown>;
}

export interface SqlProblemDto {
  field: string;
  message: string;
  /** 0-based offset in the SQL text */
  position?: number;
}

/** One read-only SELECT over bronze/silver/gold tables, with named parameters (:since) */
export interface SqlQueryRequest {
  sql: string;
  params?: Record<string, string | number | boolean | null>;
  /** Default: 1000. */
  limit?: number;
}

export interface SqlResultDto {
  columns: ResultColumnDto[];
  rows: Record<string, unknown>[];
  /** More rows exist than `limit` */
  truncated: boolean;
  /** The tables read, each at its current snapshot */
  inputs: InputSnapshotDto[];
}

export interface SqlTemplateDto {
  name: string;
  description: string;
  sql: string;
  params: Record<string, SqlParamDto>;
  version: number;
  createdBy: string | null;
  updatedBy: string | null;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
}

export interface SqlValidationDto {
  valid: boolean;
  problems: SqlProblemDto[];
  /** Schema of the result (when valid) */
  columns: ResultColumnDto[];
  /** Lake tables the query reads */
  tables: string[];
  /** Named parameters the query uses */
  params: string[];
}

/** A `step` event: one step changed state */
export interface StepChangeEventDto {
  /** Format: uuid. */
  runId: string;
  stepId: string;
  /** The attempt the change is about; null before the first dispatch */
  attempt: number | null;
  /** null on the first transition */
  from: 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'upstream_failed' | 'cancelled' | 'timed_out' | null;
  to: 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'upstream_failed' | 'cancelled' | 'timed_out';
  reason: string | null;
  /** Format: date-time. */
  at: string;
}

export interface StepDto {
  stepId: string;
  job: string;
  /** Pinned when the run was created */
  jobVersion: number;
  jobType: string;
  executor: string;
  state: 'pending' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'upstream_failed' | 'cancelled' | 'timed_out';
  /** Current attempt, 0 before the first dispatch */
  attempt: number;
  reason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  outputs: Record<string, unknown> | null;
  /** The latest progress of the current attempt (kept after it ends); null before the executor reported any */
  progress: StepProgressDto | null;
  /** Format: date-time. */
  nextAttemptAt: string | null;
  /** Format: date-time. */
  startedAt: string | null;
  /** Format: date-time. */
  finishedAt: string | null;
  attempts: AttemptDto[];
}

/** What the executor last reported for an attempt: how far it is and its counters */
export interface StepProgressDto {
  /** The attempt that reported it */
  attempt: number;
  percent: number | null;
  message: string | null;
  /** Counters of the job type (ingest.file: rows, bytes, files, rejected) */
  metrics: Record<string, number>;
  /**
   * When the executor reported it
   * Format: date-time.
   */
  at: string;
}

/** A `progress` event: a step reported progress (no event id: not part of the resumable feed; the snapshot holds the latest) */
export interface StepProgressEventDto {
  /** The attempt that reported it */
  attempt: number;
  percent: number | null;
  message: string | null;
  /** Counters of the job type (ingest.file: rows, bytes, files, rejected) */
  metrics: Record<string, number>;
  /**
   * When the executor reported it
   * Format: date-time.
   */
  at: string;
  stepId: string;
}

/** An `error` event: the server could not go on (the stream ends); reconnect to resume */
export interface StreamErrorEventDto {
  code: string;
  message: string;
}

export interface TestTriggerDto {
  /** The event payload */
  payload: Record<string, unknown>;
  /** Facts other than the payload: key, header.<name>, path... */
  meta?: Record<string, string>;
}

export interface TotpCodeDto {
  code: string;
}

export interface TransformPreviewDto {
  /** The output schema */
  columns: ResultColumnDto[];
  /** The first rows (BIGINT and DECIMAL as strings) */
  rows: Record<string, unknown>[];
  /** Rows the job would write */
  rowCount: number;
  /** Rows a cast would set aside to <table>__rejects */
  rejectedCount: number;
  inputs: InputSnapshotDto[];
  /** The compiled SQL (one DuckDB statement) */
  sql: string;
}

/** A job configuration of a transformation type, previewed without writing anything */
export interface TransformPreviewRequest {
  type: 'transform.silver' | 'transform.sql' | 'gold.aggregate' | 'gold.scd2';
  config: Record<string, unknown>;
  /** Default: 100. */
  limit?: number;
}

export interface TriggerDto {
  /** Format: uuid. */
  id: string;
  name: string;
  description: string | null;
  workflow: string;
  type: string;
  /** The type’s settings, defaults filled, with `{ "set": true }` in place of every secret field */
  config: Record<string, unknown>;
  params: Record<string, string>;
  enabled: boolean;
  /** Incremented by every edit (the source restarts) */
  version: number;
  /** Webhook triggers: where deliveries are POSTed */
  hookPath: string | null;
  /** Format: date-time. */
  createdAt: string;
  /** Format: date-time. */
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface TriggerTestResultDto {
  matched: boolean;
  /** Why it matched or not (the failing filter, the missing field) */
  reason: string;
  /** The run parameters it would start with */
  params: Record<string, string> | null;
}

export interface TriggerTypeDto {
  type: string;
  /** JSON Schema of the type’s `config` */
  configSchema: Record<string, unknown>;
  /** Config fields stored encrypted and never answered */
  secretFields: string[];
}

export interface UpdateConnectionDto {
  /** 1-128 letters, digits, spaces, "_", "." or "-"; unique; not "uploads" (reserved) */
  name?: string;
  description?: string | null;
  /** JSON merge patch of the config (null removes a field). Type-specific settings. Secret fields (postgres/mysql/sftp/ftp/smb/redshift/synapse `password`, sftp `privateKey`/`passphrase`, s3 `secretAccessKey`, http `headers`/`token`, kafka `sasl.password`, gcs `hmacSecret`, azure `accountKey`/`sasToken`/`connectionString`, snowflake `password`/`privateKey`/`privateKeyPassphrase`, bigquery `credentials`) are write-only: responses show `{ "set": true|false }` instead. Every type with a host (postgres, mysql, s3 `endpoint`, sftp, ftp, smb, http, kafka, gcs, azure, redshift, synapse, snowflake) refuses loopback, private, link-local and cloud-metadata addresses unless `allowPrivateNetworks: true`, which only settings:configure-system may set (else 403 naming `config.allowPrivateNetworks`). A local `path` must lie in the configured roots (default `<FLOWFORGE_HOME>/landing`), symlinks resolved; else 400 naming `config.path`. Sending `{ "set": true }` back keeps a stored secret, `{ "set": false }` clears it. */
  config?: Record<string, unknown>;
}

export interface UpdateUserDto {
  /** Format: email. */
  email?: string | null;
  displayName?: string | null;
  roles?: string[];
  disabled?: boolean;
}

export interface WorkflowDto {
  name: string;
  version: number;
  description: string | null;
  /** The normalised spec (defaults filled) */
  spec: Record<string, unknown>;
  /** Format: date-time. */
  createdAt: string;
}

export interface WorkflowListDto {
  items: WorkflowDto[];
}

/** Every component schema by its name in the document. */
export interface ApiSchemas {
  AppliedDocumentDto: AppliedDocumentDto;
  ApplyResultDto: ApplyResultDto;
  AsOfDto: AsOfDto;
  AssetDto: AssetDto;
  AttemptDto: AttemptDto;
  BackfillResultDto: BackfillResultDto;
  BackfillRunDto: BackfillRunDto;
  BackfillScheduleDto: BackfillScheduleDto;
  CalendarDto: CalendarDto;
  CancelRunDto: CancelRunDto;
  ChangePasswordDto: ChangePasswordDto;
  ColumnDto: ColumnDto;
  ColumnStatsDto: ColumnStatsDto;
  ConnectionBrowseDto: ConnectionBrowseDto;
  ConnectionDto: ConnectionDto;
  ConnectionTestResultDto: ConnectionTestResultDto;
  CreateConnectionDto: CreateConnectionDto;
  CreateRunDto: CreateRunDto;
  CreateTokenDto: CreateTokenDto;
  CreateUserDto: CreateUserDto;
  EchoAcceptedDto: EchoAcceptedDto;
  EchoRequestDto: EchoRequestDto;
  EchoViewDto: EchoViewDto;
  ExportRecordDto: ExportRecordDto;
  ExpressionTestDto: ExpressionTestDto;
  ExpressionTestRequest: ExpressionTestRequest;
  FileEntryDto: FileEntryDto;
  FilterPreviewDto: FilterPreviewDto;
  FilterPreviewRequest: FilterPreviewRequest;
  FireDto: FireDto;
  FiringDto: FiringDto;
  FiringPageDto: FiringPageDto;
  HookAcceptedDto: HookAcceptedDto;
  InputSnapshotDto: InputSnapshotDto;
  JobDto: JobDto;
  JobListDto: JobListDto;
  JobTypeDto: JobTypeDto;
  JobTypeListDto: JobTypeListDto;
  LogLineDto: LogLineDto;
  LogPageDto: LogPageDto;
  LoginDto: LoginDto;
  NextFireDto: NextFireDto;
  NextFiresDto: NextFiresDto;
  NotificationAcceptedDto: NotificationAcceptedDto;
  PasswordResetDto: PasswordResetDto;
  PasswordResetRequestDto: PasswordResetRequestDto;
  PauseScheduleDto: PauseScheduleDto;
  PreviewDto: PreviewDto;
  Problem: Problem;
  ProblemFieldError: ProblemFieldError;
  PutCalendarDto: PutCalendarDto;
  PutRoleDto: PutRoleDto;
  PutScheduleDto: PutScheduleDto;
  PutSqlTemplateRequest: PutSqlTemplateRequest;
  RefreshDto: RefreshDto;
  RerunDto: RerunDto;
  ResultColumnDto: ResultColumnDto;
  RetentionDto: RetentionDto;
  RetentionPolicyDto: RetentionPolicyDto;
  RetentionReportDto: RetentionReportDto;
  RunChangeEventDto: RunChangeEventDto;
  RunDto: RunDto;
  RunEndEventDto: RunEndEventDto;
  RunListDto: RunListDto;
  RunLogEventDto: RunLogEventDto;
  SaveJobDto: SaveJobDto;
  SaveTriggerDto: SaveTriggerDto;
  SaveWorkflowDto: SaveWorkflowDto;
  SavedJobDto: SavedJobDto;
  SavedTriggerDto: SavedTriggerDto;
  SavedWorkflowDto: SavedWorkflowDto;
  ScheduleDto: ScheduleDto;
  ScheduleHistoryDto: ScheduleHistoryDto;
  ScheduleListDto: ScheduleListDto;
  SchemaChangeDto: SchemaChangeDto;
  SchemaVersionDto: SchemaVersionDto;
  SetPasswordDto: SetPasswordDto;
  SnapshotDetailDto: SnapshotDetailDto;
  SnapshotDto: SnapshotDto;
  SnapshotFileDto: SnapshotFileDto;
  SnapshotSourceDto: SnapshotSourceDto;
  SnapshotSourceFileDto: SnapshotSourceFileDto;
  SqlDryRunDto: SqlDryRunDto;
  SqlParamDto: SqlParamDto;
  SqlProblemDto: SqlProblemDto;
  SqlQueryRequest: SqlQueryRequest;
  SqlResultDto: SqlResultDto;
  SqlTemplateDto: SqlTemplateDto;
  SqlValidationDto: SqlValidationDto;
  StepChangeEventDto: StepChangeEventDto;
  StepDto: StepDto;
  StepProgressDto: StepProgressDto;
  StepProgressEventDto: StepProgressEventDto;
  StreamErrorEventDto: StreamErrorEventDto;
  TestTriggerDto: TestTriggerDto;
  TotpCodeDto: TotpCodeDto;
  TransformPreviewDto: TransformPreviewDto;
  TransformPreviewRequest: TransformPreviewRequest;
  TriggerDto: TriggerDto;
  TriggerTestResultDto: TriggerTestResultDto;
  TriggerTypeDto: TriggerTypeDto;
  UpdateConnectionDto: UpdateConnectionDto;
  UpdateUserDto: UpdateUserDto;
  WorkflowDto: WorkflowDto;
  WorkflowListDto: WorkflowListDto;
}

/** Each path and method: its parameters, request body, answers by status and `response`, the 2xx body. */
export interface ApiPaths {
  '/api/openapi.json': {
    /**
     * The OpenAPI document of this API (openApi_get)
     * Generated from the gateway's controllers; the same document is committed as services/gateway/openapi.json and checked in CI.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: Record<string, unknown>;
      responses: {
        /** An OpenAPI 3 document */
        200: Record<string, unknown>;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
      };
    };
  };
  '/api/v1/assets': {
    /**
     * List data assets (assets_list)
     * Lake tables, filtered by layer, namespace and table.
     */
    get: {
      path: Record<string, never>;
      query: {
        layer?: 'bronze' | 'silver' | 'gold';
        namespace?: string;
        table?: string;
        /** Default: 100. */
        limit?: number;
        /** Default: 0. */
        offset?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: AssetDto[];
      responses: {
        200: AssetDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}': {
    /** Get a data asset with its current snapshot (assets_get) */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: AssetDto;
      responses: {
        200: AssetDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a data asset (assets_delete)
     * Soft delete: lists and reads no longer show it and a commit by its id is refused; its snapshots and lake files are kept. A later commit to the same layer/namespace/table creates a new asset (new id); a writer still building on the deleted asset gets FF_ASSET_COMMIT_CONFLICT.
     */
    delete: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/as-of': {
    /**
     * Rows of an SCD2 dimension as they were at an instant (assetAsOf_asOf)
     * The versions valid at `ts` (valid_from ≤ ts < valid_to), read from the current snapshot.
     */
    get: {
      path: {
        /**
         * Asset id of an SCD2 dimension
         * Format: uuid.
         */
        id: string;
      };
      query: {
        /** Format: date-time. */
        ts: string;
        /** Default: 1000. */
        limit?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: AsOfDto;
      responses: {
        200: AsOfDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND */
        404: Problem;
        /** FF_ASSET_NOT_SCD2: the asset was not written by gold.scd2 */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/download': {
    /**
     * Download a snapshot as CSV or Parquet (assets_download)
     * Streamed, with Content-Disposition: attachment; filename="<layer>.<namespace>.<table>.<sequence>.<format>".
     */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: {
        /**
         * Snapshot to export; default: the current one
         * Format: uuid.
         */
        snapshot?: string;
        /** Default: "csv". */
        format?: 'csv' | 'parquet';
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: Blob;
      responses: {
        /** The file */
        200: Blob;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:download; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/preview': {
    /**
     * First rows of a snapshot (assets_preview)
     * Default: the current snapshot, 100 rows (at most 10000).
     */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: {
        /**
         * Snapshot to read (time travel); default: the current one
         * Format: uuid.
         */
        snapshot?: string;
        /** Default: 100. */
        limit?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: PreviewDto;
      responses: {
        200: PreviewDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/retention': {
    /**
     * Set the retention policy (assets_setRetention)
     * A snapshot stays while it is current, among the last `keepLast`, or younger than `maxAgeSeconds`.
     */
    put: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: RetentionDto;
      /** The body of a 2xx answer (`void`: none). */
      response: AssetDto;
      responses: {
        200: AssetDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/retention/apply': {
    /**
     * Apply the retention policy now (assets_applyRetention)
     * Expires snapshots and deletes the files no remaining snapshot lists (the periodic sweep does the same).
     */
    post: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: RetentionReportDto;
      responses: {
        200: RetentionReportDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/schema-history': {
    /** Schema versions of an asset, each with the snapshot that introduced it (assets_schemaHistory) */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: SchemaVersionDto[];
      responses: {
        200: SchemaVersionDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/snapshots': {
    /** List the snapshots of an asset, newest first (assets_snapshots) */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
      };
      query: {
        /** Default: 100. */
        limit?: number;
        /** Default: 0. */
        offset?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: SnapshotDto[];
      responses: {
        200: SnapshotDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/assets/{id}/snapshots/{snapshotId}': {
    /** Get one snapshot with its data files (assets_snapshot) */
    get: {
      path: {
        /**
         * Asset id
         * Format: uuid.
         */
        id: string;
        /** Format: uuid. */
        snapshotId: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: SnapshotDetailDto;
      responses: {
        200: SnapshotDetailDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/audit/entries': {
    /**
     * Search the audit log (audit_entries)
     * Oldest first, paged by `afterSeq` (`nextAfterSeq` in the answer).
     */
    get: {
      path: Record<string, never>;
      query: {
        /** user id, token id, or username */
        actor?: string;
        /** e.g. workflow:edit, or a prefix ending in * (auth:*) */
        action?: string;
        resourceType?: string;
        resourceId?: string;
        outcome?: 'success' | 'denied' | 'error';
        /**
         * ISO 8601 date-time, inclusive
         * Format: date-time.
         */
        since?: string;
        /**
         * ISO 8601 date-time, exclusive
         * Format: date-time.
         */
        until?: string;
        /** page after this sequence number */
        afterSeq?: number;
        /** Default: 100. */
        limit?: number;
        /** export only */
        format?: 'json' | 'csv';
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          items: {
            seq: number;
            id: string;
            /** Format: date-time. */
            at: string;
            service: string;
            actorType: 'user' | 'token' | 'system' | 'anonymous';
            actorId: string | null;
            actorName: string | null;
            action: string;
            resourceType: string | null;
            resourceId: string | null;
            outcome: 'success' | 'denied' | 'error';
            status: number | null;
            ip: string | null;
            userAgent: string | null;
            traceId: string | null;
            /** before/after or the request, secrets redacted */
            changes: unknown;
            prevHash: string;
            /** sha256(prevHash + "\n" + canonical JSON of the entry without prevHash/hash) */
            hash: string;
          }[];
          nextAfterSeq: number | null;
        };
      responses: {
        /** OK */
        200: {
          items: {
            seq: number;
            id: string;
            /** Format: date-time. */
            at: string;
            service: string;
            actorType: 'user' | 'token' | 'system' | 'anonymous';
            actorId: string | null;
            actorName: string | null;
            action: string;
            resourceType: string | null;
            resourceId: string | null;
            outcome: 'success' | 'denied' | 'error';
            status: number | null;
            ip: string | null;
            userAgent: string | null;
            traceId: string | null;
            /** before/after or the request, secrets redacted */
            changes: unknown;
            prevHash: string;
            /** sha256(prevHash + "\n" + canonical JSON of the entry without prevHash/hash) */
            hash: string;
          }[];
          nextAfterSeq: number | null;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant audit:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/audit/export': {
    /**
     * Export the audit log (audit_export)
     * Every matching entry, streamed, as a JSON array or CSV (with the chain hashes, so a copy can be verified).
     */
    get: {
      path: Record<string, never>;
      query: {
        /** user id, token id, or username */
        actor?: string;
        /** e.g. workflow:edit, or a prefix ending in * (auth:*) */
        action?: string;
        resourceType?: string;
        resourceId?: string;
        outcome?: 'success' | 'denied' | 'error';
        /**
         * ISO 8601 date-time, inclusive
         * Format: date-time.
         */
        since?: string;
        /**
         * ISO 8601 date-time, exclusive
         * Format: date-time.
         */
        until?: string;
        /** page after this sequence number */
        afterSeq?: number;
        /** Default: 100. */
        limit?: number;
        /** export only */
        format?: 'json' | 'csv';
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: string;
      responses: {
        /** The entries */
        200: string;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant audit:export; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/audit/verify': {
    /**
     * Verify the audit chain (audit_verify)
     * Recomputes every entry's hash from the first; `brokenAt` names the first entry edited, deleted or reordered. `flowforge audit verify` does the same on the client.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          ok?: boolean;
          checked?: number;
          lastSeq?: number | null;
          brokenAt?: {
            seq?: number;
            reason?: string;
            message?: string;
          } | null;
        };
      responses: {
        /** OK */
        200: {
          ok?: boolean;
          checked?: number;
          lastSeq?: number | null;
          brokenAt?: {
            seq?: number;
            reason?: string;
            message?: string;
          } | null;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant audit:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/config': {
    /**
     * How to sign in (authApi_authConfig)
     * Which issuers this gateway trusts: the console picks Keycloak (OIDC) or the built-in login form from this.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          builtin?: boolean;
          oidc?: {
            issuer?: string;
            clientId?: string;
          } | null;
        };
      responses: {
        /** OK */
        200: {
          builtin?: boolean;
          oidc?: {
            issuer?: string;
            clientId?: string;
          } | null;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/keys/rotate': {
    /**
     * Rotate the built-in issuer's signing key (authApi_rotateKeys)
     * A new ES256 key signs from now on; the previous ones stay in the JWKS until every token they signed has expired, so nobody is signed out. This gateway reloads the key set at once, others at the first token with the new key.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          kid?: string;
        };
      responses: {
        /** OK */
        200: {
          kid?: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:configure-system; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/login': {
    /**
     * Sign in (built-in accounts) (authApi_login)
     * Password, then `otp` or `recoveryCode` when the account uses two-factor authentication. Failed logins lock the login name for a while after the threshold (429 with Retry-After), the same for unknown names.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: LoginDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          tokenType: 'Bearer';
          accessToken: string;
          /** seconds */
          expiresIn: number;
          /** single use: each refresh returns a new one */
          refreshToken: string;
          refreshExpiresIn: number;
          /** Format: uuid. */
          sessionId: string;
          user: {
            id: string;
            username: string;
            roles: string[];
            mustChangePassword: boolean;
          };
        };
      responses: {
        /** OK */
        200: {
          tokenType: 'Bearer';
          accessToken: string;
          /** seconds */
          expiresIn: number;
          /** single use: each refresh returns a new one */
          refreshToken: string;
          refreshExpiresIn: number;
          /** Format: uuid. */
          sessionId: string;
          user: {
            id: string;
            username: string;
            roles: string[];
            mustChangePassword: boolean;
          };
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_INVALID_CREDENTIALS (same answer for an unknown user) or FF_AUTH_MFA_REQUIRED */
        401: Problem;
        /** FF_AUTH_LOCKED: too many failed logins; see Retry-After */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/logout': {
    /**
     * Sign out (authApi_logout)
     * Ends the current session: its access and refresh tokens stop working at once.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Signed out */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_AUTH_NO_SESSION: an API token has no session (revoke it instead) */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/me': {
    /**
     * The signed-in user (authApi_me)
     * With the permissions their roles grant.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
          permissions: string[];
        };
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
          permissions: string[];
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/mfa/totp': {
    /**
     * Start two-factor enrolment (authApi_beginTotp)
     * A new TOTP secret and its otpauth:// URI (for a QR code); confirm with a code to switch it on.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          secret?: string;
          otpauthUri?: string;
        };
      responses: {
        /** OK */
        200: {
          secret?: string;
          otpauthUri?: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_MFA_ALREADY_ENABLED */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/mfa/totp/confirm': {
    /**
     * Confirm two-factor enrolment (authApi_confirmTotp)
     * Switches TOTP on and returns ten single-use recovery codes, shown only now.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: TotpCodeDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          recoveryCodes?: string[];
        };
      responses: {
        /** OK */
        200: {
          recoveryCodes?: string[];
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_MFA_ALREADY_ENABLED / FF_MFA_NOT_ENROLLING */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/mfa/totp/disable': {
    /**
     * Switch two-factor authentication off (authApi_disableTotp)
     * Needs a current code.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: TotpCodeDto;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Switched off */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_MFA_NOT_ENABLED */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/password': {
    /**
     * Change my password (authApi_changePassword)
     * Checks the current one and the password policy (length, character classes, common passwords, the last 5); ends my other sessions. A token issued while a change was required stays limited: refresh it (or sign in again) afterwards.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: ChangePasswordDto;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Changed */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_INVALID_CREDENTIALS: the current password is wrong FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/password/reset': {
    /**
     * Reset the password with the mailed token (authApi_resetPassword)
     * Single use; ends every session of the account.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PasswordResetDto;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Reset */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/password/reset-request': {
    /**
     * Ask for a password-reset mail (authApi_requestReset)
     * Always 202, whether or not the address has an account.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PasswordResetRequestDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          accepted?: boolean;
        };
      responses: {
        /** Accepted */
        202: {
          accepted?: boolean;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/permissions': {
    /**
     * The permission matrix (authApi_permissions)
     * Every resource with its actions, and every role with the permissions it grants.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          resources?: Record<string, string[]>;
          permissions?: string[];
          roles?: {
            name: string;
            description: string;
            builtin: boolean;
            permissions: string[];
          }[];
        };
      responses: {
        /** OK */
        200: {
          resources?: Record<string, string[]>;
          permissions?: string[];
          roles?: {
            name: string;
            description: string;
            builtin: boolean;
            permissions: string[];
          }[];
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/refresh': {
    /**
     * Refresh the access token (authApi_refresh)
     * Single use: the answer carries a new refresh token. A refresh token used twice ends the session (it was copied).
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: RefreshDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          tokenType: 'Bearer';
          accessToken: string;
          /** seconds */
          expiresIn: number;
          /** single use: each refresh returns a new one */
          refreshToken: string;
          refreshExpiresIn: number;
          /** Format: uuid. */
          sessionId: string;
          user: {
            id: string;
            username: string;
            roles: string[];
            mustChangePassword: boolean;
          };
        };
      responses: {
        /** OK */
        200: {
          tokenType: 'Bearer';
          accessToken: string;
          /** seconds */
          expiresIn: number;
          /** single use: each refresh returns a new one */
          refreshToken: string;
          refreshExpiresIn: number;
          /** Format: uuid. */
          sessionId: string;
          user: {
            id: string;
            username: string;
            roles: string[];
            mustChangePassword: boolean;
          };
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REFRESH_INVALID, FF_AUTH_REFRESH_REUSED or FF_AUTH_SESSION_ENDED */
        401: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/sessions': {
    /**
     * My sessions (authApi_sessions)
     * The signed-in user's open sessions (devices), `current` marking this one.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          id: string;
          createdAt: string;
          lastUsedAt: string;
          expiresAt: string;
          ip: string | null;
          userAgent: string | null;
          mfa: boolean;
          current: boolean;
        }[];
      responses: {
        /** OK */
        200: {
          id: string;
          createdAt: string;
          lastUsedAt: string;
          expiresAt: string;
          ip: string | null;
          userAgent: string | null;
          mfa: boolean;
          current: boolean;
        }[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/sessions/{id}': {
    /** End one of my sessions (authApi_revokeSession) */
    delete: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Ended */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SESSION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/auth/whoami': {
    /**
     * Who the gateway takes the caller for (authApi_whoami)
     * For any credential — built-in or Keycloak access token, API token: the identity, the FlowForge roles and the permissions in effect.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          id: string;
          username: string;
          type: 'user' | 'token';
          via: 'builtin' | 'keycloak' | 'api-token';
          roles: string[];
          permissions: string[];
        };
      responses: {
        /** OK */
        200: {
          id: string;
          username: string;
          type: 'user' | 'token';
          via: 'builtin' | 'keycloak' | 'api-token';
          roles: string[];
          permissions: string[];
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/calendars': {
    /**
     * List calendars (calendars_list)
     * By name.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: CalendarDto[];
      responses: {
        200: CalendarDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/calendars/{name}': {
    /** Get a calendar (calendars_get) */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: CalendarDto;
      responses: {
        200: CalendarDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CALENDAR_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
    /**
     * Create or replace a calendar (calendars_put)
     * Dates YYYY-MM-DD (at most 1000); every schedule naming the calendar skips its fire times on them (in its own time zone) from now on.
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PutCalendarDto;
      /** The body of a 2xx answer (`void`: none). */
      response: CalendarDto;
      responses: {
        /** Replaced */
        200: CalendarDto;
        /** Created */
        201: CalendarDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a calendar (calendars_delete)
     * Refused while a schedule names it.
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CALENDAR_NOT_FOUND */
        404: Problem;
        /** FF_CALENDAR_IN_USE: schedules name it (the detail lists them) */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/connections': {
    /**
     * List connections (connections_list)
     * Ordered by name; filter by type.
     */
    get: {
      path: Record<string, never>;
      query: {
        type?: 'postgres' | 'mysql' | 's3' | 'local' | 'sftp' | 'http' | 'kafka' | 'gcs' | 'azure' | 'ftp' | 'smb' | 'redshift' | 'synapse' | 'snowflake' | 'bigquery';
        /** Default: 100. */
        limit?: number;
        /** Default: 0. */
        offset?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionDto[];
      responses: {
        200: ConnectionDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant connection:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
    /**
     * Create a connection (connections_create)
     * Secrets are encrypted at rest (AES-256-GCM) and never returned.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: CreateConnectionDto;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionDto;
      responses: {
        201: ConnectionDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks` FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-connections; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NAME_TAKEN */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/connections/{id}': {
    /** Get a connection (connections_get) */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionDto;
      responses: {
        200: ConnectionDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant connection:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
    /** Delete a connection and its secrets (connections_delete) */
    delete: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-connections; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
    /**
     * Update a connection (connections_update)
     * `config` is a JSON merge patch; secrets are replaced whole or kept with `{ "set": true }`.
     */
    patch: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: UpdateConnectionDto;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionDto;
      responses: {
        200: ConnectionDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks` or change where such a connection goes FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-connections; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/connections/{id}/browse': {
    /**
     * Browse a file connection (connections_browse)
     * Lists one folder of a file connection (local, s3, gcs, azure, and the other file location types) with its stored config: folders and files, sorted, at most 1000. Object stores show key prefixes as folders; http connections cannot be listed (422 FF_LOCATION_UNSUPPORTED).
     */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: {
        /**
         * Folder relative to the connection's root (directory, bucket prefix, container prefix); empty = the root
         * Default: "".
         */
        path?: string;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionBrowseDto;
      responses: {
        200: ConnectionBrowseDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant connection:use; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NOT_FOUND, or FF_LOCATION_NOT_FOUND: no such folder */
        404: Problem;
        /** FF_LOCATION_UNSUPPORTED: the connection holds no files (postgres, kafka...) or cannot list (http); FF_LOCATION_REFUSED: the address guard or the local path policy refused it */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_LOCATION_AUTH, FF_LOCATION_UNREACHABLE, FF_LOCATION_FAILED: the store refused the stored credentials, could not be reached, or failed */
        502: Problem;
      };
    };
  };
  '/api/v1/connections/{id}/test': {
    /**
     * Test a connection (connections_test)
     * Connects with the stored config (postgres/mysql: SELECT 1; s3: HeadBucket; local: directory writable; http: HEAD/GET; kafka: describeCluster; sftp: list the login directory; gcs, azure: list one key of the bucket or container). A failed probe is still a 200 with ok=false and a message saying what failed.
     */
    post: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ConnectionTestResultDto;
      responses: {
        200: ConnectionTestResultDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant connection:use; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_CONNECTION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/exports/history': {
    /**
     * Export history, newest first (exports_history)
     * Optionally of one destination (`kind:connection/table-or-path`).
     */
    get: {
      path: Record<string, never>;
      query: {
        destination?: string;
        /** Default: 100. */
        limit?: number;
        /** Default: 0. */
        offset?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ExportRecordDto[];
      responses: {
        200: ExportRecordDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
      };
    };
  };
  '/api/v1/hooks/{triggerId}': {
    /**
     * Deliver a webhook event (hooks_deliver)
     * The body (a JSON object, at most 1 MiB or the trigger’s `maxBytes`) is the event payload. auth hmac: `X-FlowForge-Signature: sha256=<hex HMAC-SHA256 of "<X-FlowForge-Timestamp>.<body>">`, the timestamp (Unix seconds) within the trigger’s replay window either way, each signature accepted once. auth token: `Authorization: Bearer <API token>` whose holder has trigger:execute (an `Idempotency-Key` header makes a retry start no second run).
     */
    post: {
      path: {
        /** Format: uuid. */
        triggerId: string;
      };
      query: Record<string, never>;
      headers: {
        /** auth hmac: sha256=<hex> */
        'X-FlowForge-Signature'?: string;
        /** auth hmac: Unix time in seconds */
        'X-FlowForge-Timestamp'?: string;
      };
      /** Sent as application/json. */
      body: Record<string, unknown>;
      /** The body of a 2xx answer (`void`: none). */
      response: HookAcceptedDto;
      responses: {
        /** Fired: the run is requested */
        202: HookAcceptedDto;
        /** FF_WEBHOOK_SIGNATURE_MISSING / _INVALID, FF_WEBHOOK_TIMESTAMP_EXPIRED, FF_WEBHOOK_REPLAYED, FF_AUTH_REQUIRED (auth token) */
        401: Problem;
        /** FF_FORBIDDEN: the API token lacks trigger:execute */
        403: Problem;
        /** FF_TRIGGER_NOT_FOUND: no enabled webhook trigger with this id */
        404: Problem;
        /** FF_WEBHOOK_TOO_LARGE */
        413: Problem;
        /** FF_WEBHOOK_CONTENT_TYPE: the body must be application/json */
        415: Problem;
        /** FF_WEBHOOK_BODY_INVALID, FF_WEBHOOK_PAYLOAD_INVALID (the trigger’s JSON Schema; `errors` names each path), FF_TRIGGER_NOT_MATCHED */
        422: Problem;
        /** FF_WEBHOOK_RATE_LIMITED (Retry-After) */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/hooks/{triggerId}/notifications': {
    /**
     * Deliver an object-store event notification (hooks_notification)
     * For a `file` trigger with a `notificationToken`: S3’s event JSON (`Records[].s3.object.key`, as S3-compatible stores and MinIO’s webhook target send it) or the same in an SNS notification envelope, with `Authorization: Bearer <notificationToken>` (not a FlowForge token). Object-created records wake the trigger at once; the objects they name count as complete. At most 1 MiB.
     */
    post: {
      path: {
        /** Format: uuid. */
        triggerId: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: Record<string, unknown>;
      /** The body of a 2xx answer (`void`: none). */
      response: NotificationAcceptedDto;
      responses: {
        /** Taken */
        202: NotificationAcceptedDto;
        /** FF_NOTIFICATION_TOKEN_INVALID */
        401: Problem;
        /** FF_TRIGGER_NOT_FOUND: no enabled trigger with this id takes notifications */
        404: Problem;
        /** FF_WEBHOOK_TOO_LARGE */
        413: Problem;
        /** FF_NOTIFICATION_INVALID: not S3 event JSON (or an SNS subscription confirmation) */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/job-types': {
    /**
     * List job types (jobTypes_list)
     * As the executors announced them (type, executor, version, config JSON Schema).
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobTypeListDto;
      responses: {
        200: JobTypeListDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE */
        502: Problem;
      };
    };
  };
  '/api/v1/job-types/{type}': {
    /** Get a job type (jobTypes_get) */
    get: {
      path: {
        type: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobTypeDto;
      responses: {
        200: JobTypeDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_JOB_TYPE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE */
        502: Problem;
      };
    };
  };
  '/api/v1/jobs': {
    /**
     * List jobs (jobs_list)
     * The latest version of every job, by name.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobListDto;
      responses: {
        200: JobListDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/jobs/{name}': {
    /** Get the latest version of a job (jobs_get) */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobDto;
      responses: {
        200: JobDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_JOB_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
    /**
     * Create or edit a job (jobs_save)
     * Creates version 1, or the next version when type, description or config differ from the latest; an identical body changes nothing (200). The config is validated against the JSON Schema its type announced.
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SaveJobDto;
      /** The body of a 2xx answer (`void`: none). */
      response: SavedJobDto;
      responses: {
        /** Unchanged: equal to the latest version */
        200: SavedJobDto;
        /** A version was created */
        201: SavedJobDto;
        /** FF_JOB_INVALID (unknown type, config field), FF_NAME_MISMATCH, FF_VALIDATION */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a job (jobs_delete)
     * Soft delete of every version: lists and gets no longer show it, finished runs keep theirs, and the name can be created again (its versions continue the numbering). Refused while the current version of a workflow uses it or a queued/running run has a step of it.
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_JOB_NOT_FOUND */
        404: Problem;
        /** FF_JOB_IN_USE: used by current workflows or active runs (named in the detail) */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/jobs/{name}/versions': {
    /**
     * List the versions of a job (jobs_versions)
     * Newest first.
     */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobListDto;
      responses: {
        200: JobListDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_JOB_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/jobs/{name}/versions/{version}': {
    /** Get one version of a job (jobs_version) */
    get: {
      path: {
        name: string;
        version: number;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: JobDto;
      responses: {
        200: JobDto;
        /** FF_VALIDATION: the version is not an integer from 1 to 2147483647 */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_JOB_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/roles': {
    /**
     * List roles (roles_list)
     * Built-in and custom roles with their permissions.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          name: string;
          description: string;
          builtin: boolean;
          permissions: string[];
        }[];
      responses: {
        /** OK */
        200: {
          name: string;
          description: string;
          builtin: boolean;
          permissions: string[];
        }[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/roles/{name}': {
    /**
     * Create or replace a custom role (roles_put)
     * Any set of permissions (resource:action). Gateways apply the change at once.
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PutRoleDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          name: string;
          description: string;
          builtin: boolean;
          permissions: string[];
        };
      responses: {
        /** Replaced */
        200: {
          name: string;
          description: string;
          builtin: boolean;
          permissions: string[];
        };
        /** Created */
        201: {
          name: string;
          description: string;
          builtin: boolean;
          permissions: string[];
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ROLE_BUILTIN: built-in roles cannot be changed */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a custom role (roles_delete)
     * Users holding it lose it.
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ROLE_NOT_FOUND */
        404: Problem;
        /** FF_ROLE_BUILTIN */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/runs': {
    /**
     * List runs (runs_list)
     * Newest first, without steps; page with `before`.
     */
    get: {
      path: Record<string, never>;
      query: {
        workflow?: string;
        state?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
        /** Default: 50. */
        limit?: number;
        /** The previous page's nextCursor */
        before?: string;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: RunListDto;
      responses: {
        200: RunListDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
    /**
     * Start a run (runs_create)
     * Parameters are resolved against the workflow's declarations; each step's job version is pinned. The workflow's concurrency may queue the run, or cancel it (overlap skip).
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: {
        /** Same key and same request (workflow, version, parameters), same run; the key reused for another request is 422 */
        'Idempotency-Key'?: string;
      };
      /** Sent as application/json. */
      body: CreateRunDto;
      /** The body of a 2xx answer (`void`: none). */
      response: RunDto;
      responses: {
        /** The run this idempotency key created before */
        200: RunDto;
        /** Created */
        201: RunDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_JOB_TYPE_UNKNOWN */
        409: Problem;
        /** FF_RUN_IDEMPOTENCY_CONFLICT: the key already identifies a run made by another workflow, version or parameters */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/runs/{id}': {
    /** Get a run with its steps and attempts (runs_get) */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: RunDto;
      responses: {
        200: RunDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RUN_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/runs/{id}/cancel': {
    /**
     * Cancel a run (runs_cancel)
     * Running attempts are asked to stop; every open step and the run become cancelled. Cancelling a cancelled run is a no-op.
     */
    post: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body?: CancelRunDto;
      /** The body of a 2xx answer (`void`: none). */
      response: RunDto;
      responses: {
        200: RunDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RUN_NOT_FOUND */
        404: Problem;
        /** FF_RUN_ALREADY_FINISHED */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/runs/{id}/events': {
    /**
     * Watch a run live (Server-Sent Events) (runs_events)
     * Events: `snapshot` (the run with its steps), then `run` and `step` state changes and `log` lines as they happen, and `end` when the run is final. Each event id is a cursor: reconnect with Last-Event-ID (or ?after=) to resume.
     */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: {
        'Last-Event-ID'?: string;
      };
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: string;
      responses: {
        /** An event stream */
        200: string;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RUN_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
      /** Server-Sent Events: the parsed `data` of each event, by its `event` name. */
      events: {
        /** First on every connection: the run with its steps */
        snapshot: RunDto;
        run: RunChangeEventDto;
        step: StepChangeEventDto;
        progress: StepProgressEventDto;
        log: RunLogEventDto;
        end: RunEndEventDto;
        error: StreamErrorEventDto;
      };
    };
  };
  '/api/v1/runs/{id}/logs': {
    /**
     * Page a run's log lines (runs_logs)
     * Oldest first by timestamp; filter by step and attempt; page with `after`.
     */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: {
        /** Only this step */
        step?: string;
        /** Only this attempt */
        attempt?: number;
        /** The previous page's nextCursor */
        after?: string;
        /** Default: 500. */
        limit?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: LogPageDto;
      responses: {
        200: LogPageDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RUN_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/runs/{id}/rerun': {
    /**
     * Rerun the failed part of a finished run (runs_rerun)
     * Creates a NEW run (parentRunId = this run) with the same pinned workflow, job versions and parameters: steps that succeeded are reused with their outputs; the failed, timed-out, cancelled and upstream-failed steps (or `fromStep`) and everything downstream run again. The old run keeps its outcome.
     */
    post: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body?: RerunDto;
      /** The body of a 2xx answer (`void`: none). */
      response: RunDto;
      responses: {
        /** The new run */
        201: RunDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RUN_NOT_FOUND */
        404: Problem;
        /** FF_RUN_NOT_FINISHED, FF_RUN_NOTHING_TO_RERUN */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules': {
    /**
     * List schedules (schedules_list)
     * By name; filter by workflow.
     */
    get: {
      path: Record<string, never>;
      query: {
        workflow?: string;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleListDto;
      responses: {
        200: ScheduleListDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}': {
    /**
     * Get a schedule (schedules_get)
     * With `warnings` when another schedule of the same workflow, or of another workflow writing a same lake asset, fires within 5 minutes of it.
     */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleDto;
      responses: {
        200: ScheduleDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
    /**
     * Create or replace a schedule (schedules_put)
     * A cron (5 or 6 fields, macros, L/W/#) or a preset, in an IANA time zone. DST: a fixed time that does not exist fires once at the first valid instant after the gap; a fixed time that occurs twice fires once, at its first occurrence; interval patterns keep their pace in real time. History is kept across replacements; the next fire time is counted from now. Replacing needs schedule:edit; creating one that does not exist also schedule:create (403 otherwise).
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PutScheduleDto;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleDto;
      responses: {
        /** Replaced */
        200: ScheduleDto;
        /** Created */
        201: ScheduleDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NO_FUTURE: the cron has no future fire time */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a schedule and its history (schedules_delete)
     * Runs already requested go on.
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}/backfill': {
    /**
     * Backfill a date range (schedules_backfill)
     * Every fire time in [from, to] (read in the schedule’s zone) becomes a run, at most 1000 (else 422 naming `to`). Excluded dates are skipped; pause and overlap do not apply. A time backfilled before is not run again (`existing`).
     */
    post: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: BackfillScheduleDto;
      /** The body of a 2xx answer (`void`: none). */
      response: BackfillResultDto;
      responses: {
        201: BackfillResultDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_SCHEDULE_BACKFILL_INVALID: `to` before `from`, or more than 1000 fire times */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}/history': {
    /**
     * Fire history (schedules_history)
     * Each fire time: fired (with its run), skipped (paused, calendar, overlap, catchup, misfire cap) or buffered; newest first.
     */
    get: {
      path: {
        name: string;
      };
      query: {
        /** Default: 100. */
        limit?: number;
        outcome?: 'fired' | 'skipped' | 'buffered';
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleHistoryDto;
      responses: {
        200: ScheduleHistoryDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}/next': {
    /**
     * Predict the next fire times (schedules_next)
     * From now, at most 100; with the wall-clock time and whether the calendar excludes it.
     */
    get: {
      path: {
        name: string;
      };
      query: {
        /** Default: 10. */
        count?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: NextFiresDto;
      responses: {
        200: NextFiresDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}/pause': {
    /**
     * Pause a schedule (schedules_pause)
     * Fire times while paused are recorded as skipped (paused); buffered fires are dropped.
     */
    post: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PauseScheduleDto;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleDto;
      responses: {
        200: ScheduleDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/schedules/{name}/resume': {
    /**
     * Resume a schedule (schedules_resume)
     * Clears the pause note and the count of failed runs.
     */
    post: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: ScheduleDto;
      responses: {
        200: ScheduleDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant schedule:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SCHEDULE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_SCHEDULER_UNREACHABLE: the scheduler did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/sql/dry-run': {
    /**
     * Dry-run a query (sql_dryRun)
     * DuckDB's plan, the result schema and the first rows, writing nothing.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SqlQueryRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlDryRunDto;
      responses: {
        200: SqlDryRunDto;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_SQL_NOT_ALLOWED FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SQL_LIMIT */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/sql/query': {
    /**
     * Run a read-only query (sql_query)
     * At most `limit` rows; `truncated` says when there were more.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SqlQueryRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlResultDto;
      responses: {
        200: SqlResultDto;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_SQL_NOT_ALLOWED: not one read-only SELECT over lake tables (files, ATTACH, COPY, SET… are refused) FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRANSFORM_UNKNOWN_TABLE */
        404: Problem;
        /** FF_SQL_LIMIT: the query passed its time or memory limit */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/sql/templates': {
    /** List saved SQL templates (sql_listTemplates) */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlTemplateDto[];
      responses: {
        200: SqlTemplateDto[];
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/sql/templates/{name}': {
    /** Get a saved SQL template (sql_getTemplate) */
    get: {
      path: {
        /** Template name */
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlTemplateDto;
      responses: {
        200: SqlTemplateDto;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SQL_TEMPLATE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
    /**
     * Save a SQL template (sql_putTemplate)
     * Creates or replaces (a new one also needs job:create). The SQL is validated first (parse, parameters, sandbox rules); its tables need not exist yet.
     */
    put: {
      path: {
        /** Template name */
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: PutSqlTemplateRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlTemplateDto;
      responses: {
        /** Replaced */
        200: SqlTemplateDto;
        /** Created */
        201: SqlTemplateDto;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN (job:create for a new template) or FF_SQL_NOT_ALLOWED FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
    /** Delete a SQL template (sql_deleteTemplate) */
    delete: {
      path: {
        /** Template name */
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant job:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SQL_TEMPLATE_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/sql/validate': {
    /**
     * Validate a query (sql_validate)
     * Parse and bind against the lake tables: problems with their position, the result schema, tables and parameters. Runs nothing.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SqlQueryRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: SqlValidationDto;
      responses: {
        200: SqlValidationDto;
        /** Invalid input; `errors` names each field (and `position` inside the SQL) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/system/echo': {
    /**
     * Send an echo through the bus (echo_request)
     * Publishes EchoRequested; the orchestrator handles it once. Poll the returned id.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: EchoRequestDto;
      /** The body of a 2xx answer (`void`: none). */
      response: EchoAcceptedDto;
      responses: {
        /** Published */
        202: EchoAcceptedDto;
        /** FF_VALIDATION: `message` must be 1 to 1000 characters */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:configure-system; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
      };
    };
  };
  '/api/v1/system/echo/{id}': {
    /** Whether the orchestrator handled an echo (echo_get) */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: EchoViewDto;
      responses: {
        200: EchoViewDto;
        /** FF_VALIDATION: the id is not a UUID */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:configure-system; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_ECHO_NOT_FOUND: not handled yet */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE, FF_ORCHESTRATOR_FAILED */
        502: Problem;
      };
    };
  };
  '/api/v1/system/secrets/rotate': {
    /**
     * Rotate the master key (secrets_rotate)
     * Re-encrypts every connection secret under the current master key in one transaction (embedded: a new key file is generated first). `next` says what the operator still has to do. `node scripts/catalog-rotate-key.js` calls this.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          keyId?: string;
          previousKeyId?: string;
          /** secrets re-encrypted */
          total?: number;
          origin?: string;
          next?: string;
        };
      responses: {
        /** Rotated */
        200: {
          keyId?: string;
          previousKeyId?: string;
          /** secrets re-encrypted */
          total?: number;
          origin?: string;
          next?: string;
        };
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:configure-system; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SECRET_ROTATION_RUNNING: a rotation is already running */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_CATALOG_UNREACHABLE: the catalog did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/tokens': {
    /**
     * My API tokens (tokens_list)
     * Never the token itself: it is shown once, at creation.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          id: string;
          name: string;
          ownerId: string;
          permissions: string[];
          createdAt: string;
          expiresAt: string | null;
          lastUsedAt: string | null;
          revokedAt: string | null;
        }[];
      responses: {
        /** OK */
        200: {
          id: string;
          name: string;
          ownerId: string;
          permissions: string[];
          createdAt: string;
          expiresAt: string | null;
          lastUsedAt: string | null;
          revokedAt: string | null;
        }[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
    /**
     * Create an API token (tokens_create)
     * Scoped to permissions you hold; `token` is in this answer only (it is stored hashed). Use it as `Authorization: Bearer ffp_…`.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: CreateTokenDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          id: string;
          name: string;
          ownerId: string;
          permissions: string[];
          createdAt: string;
          expiresAt: string | null;
          lastUsedAt: string | null;
          revokedAt: string | null;
          token: string;
        };
      responses: {
        /** Created */
        201: {
          id: string;
          name: string;
          ownerId: string;
          permissions: string[];
          createdAt: string;
          expiresAt: string | null;
          lastUsedAt: string | null;
          revokedAt: string | null;
          token: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/tokens/{id}': {
    /** Revoke one of my API tokens (tokens_revoke) */
    delete: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Revoked */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TOKEN_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/transform/expressions/test': {
    /**
     * Test a derived-column expression (transform_testExpression)
     * Checks the expression against the schema (an unknown column or function is named with its position) and evaluates it on sample rows: a table’s first rows, or rows sent with their schema.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: ExpressionTestRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: ExpressionTestDto;
      responses: {
        200: ExpressionTestDto;
        /** Invalid input; `errors` names each field (and `position` inside an expression) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRANSFORM_UNKNOWN_TABLE */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/transform/filters/preview': {
    /**
     * Count the rows a filter keeps and drops (transform_previewFilter)
     * The condition tree of transform.silver, over the current snapshot of a table.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: FilterPreviewRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: FilterPreviewDto;
      responses: {
        200: FilterPreviewDto;
        /** Invalid input; `errors` names each field (and `position` inside an expression) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRANSFORM_UNKNOWN_TABLE */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/transform/preview': {
    /**
     * Preview a transformation job (transform_preview)
     * Compiles the job configuration and runs it over the current snapshots of its inputs: first rows, row count and output schema. Nothing is written.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: TransformPreviewRequest;
      /** The body of a 2xx answer (`void`: none). */
      response: TransformPreviewDto;
      responses: {
        200: TransformPreviewDto;
        /** Invalid input; `errors` names each field (and `position` inside an expression) */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRANSFORM_UNKNOWN_TABLE: an input is not in the lake */
        404: Problem;
        /** FF_SQL_LIMIT: the preview passed its time or memory limit */
        422: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/trigger-types': {
    /**
     * List the trigger types (triggers_types)
     * Each type with the JSON Schema of its `config` (the console renders the form from it).
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: TriggerTypeDto[];
      responses: {
        200: TriggerTypeDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/triggers': {
    /**
     * List triggers (triggers_list)
     * Ordered by name; secrets show as `{ "set": true }`.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: TriggerDto[];
      responses: {
        200: TriggerDto[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/triggers/{name}': {
    /** Get a trigger (triggers_get) */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: TriggerDto;
      responses: {
        200: TriggerDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRIGGER_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
    /**
     * Create or replace a trigger (triggers_save)
     * Creating also needs trigger:create. `config` is checked against the type’s schema (GET /api/v1/trigger-types); secret fields left out keep their stored value. The source restarts with the new definition. A webhook with auth hmac and no secret gets a generated one, answered once in `secret`.
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SaveTriggerDto;
      /** The body of a 2xx answer (`void`: none). */
      response: TriggerDto | SavedTriggerDto;
      responses: {
        /** Replaced */
        200: TriggerDto;
        /** Created */
        201: SavedTriggerDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: creating a trigger needs trigger:create FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a trigger (triggers_delete)
     * Its source stops; its firings go with it (the runs it started stay).
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRIGGER_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/triggers/{name}/firings': {
    /**
     * List a trigger’s firings (triggers_firings)
     * Every event it received, newest first: matched or why not, the run it requested.
     */
    get: {
      path: {
        name: string;
      };
      query: {
        /** Default: 100. */
        limit?: number;
        /** Default: 0. */
        offset?: number;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: FiringPageDto;
      responses: {
        200: FiringPageDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRIGGER_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/triggers/{name}/test': {
    /**
     * Test a trigger with a sample event (triggers_test)
     * Applies the filter and the parameter mapping to `payload` and `meta`: matched or why not, and the parameters. Records nothing and starts no run.
     */
    post: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: TestTriggerDto;
      /** The body of a 2xx answer (`void`: none). */
      response: TriggerTestResultDto;
      responses: {
        200: TriggerTestResultDto;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant trigger:execute; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_TRIGGER_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_TRIGGERS_UNREACHABLE: the triggers service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/uploads': {
    /**
     * Upload a file for ingestion (uploads_upload)
     * The body is the file, sent as application/octet-stream; it is streamed to the landing folder, never buffered. The answer names its `path` in the `uploads` location: an `ingest.file` step reads it with `connection: uploads`. `flowforge ingest <file>` does this and runs the step.
     */
    post: {
      path: Record<string, never>;
      query: {
        /** The file name (one segment, at most 255 characters) */
        name: string;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id?: string;
          name?: string;
          /** in the `uploads` location */
          path?: string;
          connection?: 'uploads';
          size?: number;
          sha256?: string;
        };
      responses: {
        /** Stored */
        201: {
          /** Format: uuid. */
          id?: string;
          name?: string;
          /** in the `uploads` location */
          path?: string;
          connection?: 'uploads';
          size?: number;
          sha256?: string;
        };
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant asset:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_UPLOAD_TOO_LARGE: larger than FLOWFORGE_UPLOAD_MAX_BYTES; nothing was kept */
        413: Problem;
        /** FF_UPLOAD_CONTENT_TYPE: the body must be application/octet-stream */
        415: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_INGESTION_UNREACHABLE: the ingestion service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users': {
    /** List users (users_list) */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        }[];
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        }[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
    /**
     * Create a user (users_create)
     * The password must meet the policy; `roles` must exist.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: CreateUserDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
      responses: {
        /** Created */
        201: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_USER_EXISTS */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users/{id}': {
    /** Get a user (users_get) */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_USER_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a user (users_delete)
     * Ends their sessions and revokes their API tokens.
     */
    delete: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_USER_NOT_FOUND */
        404: Problem;
        /** FF_USER_SELF_LOCKOUT */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
    /**
     * Edit a user (users_update)
     * E-mail, display name, roles, disabled. Disabling ends the user's sessions.
     */
    patch: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: UpdateUserDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_USER_NOT_FOUND */
        404: Problem;
        /** FF_USER_SELF_LOCKOUT / FF_USER_EXISTS */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users/{id}/password': {
    /**
     * Set a user's password (users_setPassword)
     * For a forgotten password when no mail server is configured: temporary by default (the user must change it at the next sign-in). The policy applies; every session of the user ends.
     */
    post: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SetPasswordDto;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_USER_NOT_FOUND */
        404: Problem;
        /** FF_USER_SELF_PASSWORD: change your own with POST /api/v1/auth/password */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users/{id}/sessions': {
    /** A user's open sessions (users_sessions) */
    get: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          id: string;
          createdAt: string;
          lastUsedAt: string;
          expiresAt: string;
          ip: string | null;
          userAgent: string | null;
          mfa: boolean;
          current: boolean;
        }[];
      responses: {
        /** OK */
        200: {
          id: string;
          createdAt: string;
          lastUsedAt: string;
          expiresAt: string;
          ip: string | null;
          userAgent: string | null;
          mfa: boolean;
          current: boolean;
        }[];
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users/{id}/sessions/{sessionId}': {
    /** End a user's session (users_revokeSession) */
    delete: {
      path: {
        /** Format: uuid. */
        id: string;
        /** Format: uuid. */
        sessionId: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Ended */
        204: void;
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_SESSION_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/users/{id}/unlock': {
    /** Unlock a user locked out by failed logins (users_unlock) */
    post: {
      path: {
        /** Format: uuid. */
        id: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
      responses: {
        /** OK */
        200: {
          /** Format: uuid. */
          id: string;
          username: string;
          email: string | null;
          displayName: string | null;
          roles: string[];
          disabled: boolean;
          mfaEnabled: boolean;
          mustChangePassword: boolean;
          /** Format: date-time. */
          lockedUntil: string | null;
          /** Format: date-time. */
          createdAt: string;
          /** Format: date-time. */
          updatedAt: string;
        };
        /** Invalid input; `errors` names each field */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant settings:manage-users; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_AUTH_UNREACHABLE: the auth service did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows': {
    /**
     * List workflows (workflows_list)
     * The latest version of every workflow, by name.
     */
    get: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: WorkflowListDto;
      responses: {
        200: WorkflowListDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows/apply': {
    /**
     * Apply workflow-as-code (workflows_apply)
     * Multi-document YAML (`apiVersion: flowforge.io/v1`, `kind: Job | Workflow | Schedule | Trigger`). Jobs and workflows are applied in one transaction: every one is valid or none is written; documents equal to their latest version create no version; errors name the line. Schedules and triggers then go to their services in file order (`schedule:edit` / `trigger:edit` needed, checked before anything is applied; a new one also `schedule:create` / `trigger:create`); one refused is answered naming it and what was applied before it — apply the fixed file again to finish. A webhook secret the triggers service generated is answered once, in `secret`.
     */
    post: {
      path: Record<string, never>;
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/yaml or application/json. */
      body: string;
      /** The body of a 2xx answer (`void`: none). */
      response: ApplyResultDto;
      responses: {
        200: ApplyResultDto;
        /** FF_YAML_INVALID / FF_WORKFLOW_INVALID / FF_JOB_INVALID, each issue with its line */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:create; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_UNSUPPORTED_MEDIA_TYPE */
        415: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows/export': {
    /**
     * Export workflow-as-code (workflows_export)
     * Canonical YAML of the latest version of every job and workflow, or of one workflow and the jobs it uses; then the schedules and triggers of those workflows that the caller may view (`schedule:view`, `trigger:view`; secrets as `{set: true}`, which applying keeps).
     */
    get: {
      path: Record<string, never>;
      query: {
        /** Only this workflow and the jobs it uses */
        workflow?: string;
      };
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: string;
      responses: {
        /** YAML documents */
        200: string;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows/{name}': {
    /** Get the latest version of a workflow (workflows_get) */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: WorkflowDto;
      responses: {
        200: WorkflowDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
    /**
     * Create or edit a workflow (workflows_save)
     * Creates version 1, or the next version when the normalised spec differs from the latest; an identical spec changes nothing (200).
     */
    put: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      /** Sent as application/json. */
      body: SaveWorkflowDto;
      /** The body of a 2xx answer (`void`: none). */
      response: SavedWorkflowDto;
      responses: {
        /** Unchanged: equal to the latest version */
        200: SavedWorkflowDto;
        /** A version was created */
        201: SavedWorkflowDto;
        /** FF_WORKFLOW_INVALID naming each field, FF_NAME_MISMATCH, FF_WORKFLOW_NAME_RESERVED */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:edit; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
    /**
     * Delete a workflow (workflows_delete)
     * Soft delete of every version: lists and gets no longer show it, finished runs keep theirs, and the name can be created again (its versions continue the numbering). Refused while a run of it is queued or running.
     */
    delete: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: void;
      responses: {
        /** Deleted */
        204: void;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:delete; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_WORKFLOW_IN_USE: runs of it are queued or running (named in the detail) */
        409: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows/{name}/versions': {
    /**
     * List the versions of a workflow (workflows_versions)
     * Newest first.
     */
    get: {
      path: {
        name: string;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: WorkflowListDto;
      responses: {
        200: WorkflowListDto;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
  '/api/v1/workflows/{name}/versions/{version}': {
    /** Get one version of a workflow (workflows_version) */
    get: {
      path: {
        name: string;
        version: number;
      };
      query: Record<string, never>;
      headers: Record<string, never>;
      body?: never;
      /** The body of a 2xx answer (`void`: none). */
      response: WorkflowDto;
      responses: {
        200: WorkflowDto;
        /** FF_VALIDATION: the version is not an integer from 1 to 2147483647 */
        400: Problem;
        /** FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token */
        401: Problem;
        /** FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant workflow:view; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first */
        403: Problem;
        /** FF_WORKFLOW_NOT_FOUND */
        404: Problem;
        /** FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds */
        429: Problem;
        /** FF_INTERNAL: an unexpected error; it has been logged */
        500: Problem;
        /** FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer */
        502: Problem;
      };
    };
  };
}

export type ApiPath = keyof ApiPaths;
export type ApiMethod<P extends ApiPath> = keyof ApiPaths[P] & string;
export type ApiOperation<P extends ApiPath, M extends ApiMethod<P>> = ApiPaths[P][M];
type Part<P extends ApiPath, M extends ApiMethod<P>, K extends string> = K extends keyof ApiPaths[P][M] ? Exclude<ApiPaths[P][M][K], undefined> : never;
/** The body of a 2xx answer: `ApiResponse<'/api/v1/runs/{id}', 'get'>`. */
export type ApiResponse<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'response'>;
export type ApiRequestBody<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'body'>;
export type ApiQuery<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'query'>;
export type ApiPathParams<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'path'>;
/** An event stream's payloads by event name (operations with `x-sse-events`). */
export type ApiEvents<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'events'>;
