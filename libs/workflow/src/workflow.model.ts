/**
 * The workflow model: what a workflow-as-code document means once parsed and normalised. Plain data,
 * no I/O: the orchestrator stores it, the CLI writes it back, the scheduler reads its parameters.
 */

export const ParamTypes = ['string', 'integer', 'number', 'boolean', 'date', 'json'] as const;
export type ParamType = (typeof ParamTypes)[number];

export interface ParameterSpec {
  name: string;
  type: ParamType;
  /** A value of `type` (a date is a `YYYY-MM-DD` string, json any JSON value). */
  default?: unknown;
  /** Present only when true: a run must be given a value. */
  required?: boolean;
  description?: string;
}

export const StepConditions = ['on_success', 'on_failure', 'always'] as const;
export type StepCondition = (typeof StepConditions)[number];

export interface RetryPolicy {
  /** Includes the first attempt: 1 means "never retry". */
  maxAttempts: number;
  initialDelayMs: number;
  backoffFactor: number;
  maxDelayMs: number;
}

export interface StepSpec {
  id: string;
  job: string;
  /** Pinned job version; absent = the latest version when the run is created. */
  jobVersion?: number;
  dependsOn: string[];
  condition: StepCondition;
  retry: RetryPolicy;
  timeoutMs?: number;
  /** Step inputs; may reference `${params.<name>}` and `${steps.<id>.outputs.<key>}`. */
  params?: Record<string, string>;
}

export const OverlapPolicies = ['allow', 'skip', 'queue', 'cancel_running'] as const;
export type OverlapPolicy = (typeof OverlapPolicies)[number];

export interface WorkflowSpec {
  name: string;
  description?: string;
  tags?: string[];
  parameters: ParameterSpec[];
  steps: StepSpec[];
  concurrency: { maxRuns?: number; overlap: OverlapPolicy };
  timeoutMs?: number;
}

export interface JobSpec {
  name: string;
  /** Job type an executor announced, e.g. `noop`, `ingest.file`. */
  type: string;
  description?: string;
  config: Record<string, unknown>;
}

/** What validation may ask of the outside world (the catalog of jobs); absent = not checked. */
export interface WorkflowContext {
  jobExists?(name: string, version?: number): boolean;
}

/** JSON Schema (draft 2020-12) of a job type's config, as executors announce it; undefined = unknown type. */
export interface JobContext {
  jobConfigSchema?(type: string): Record<string, unknown> | undefined;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 1,
  initialDelayMs: 1000,
  backoffFactor: 2,
  maxDelayMs: 300_000,
});

export const DEFAULT_CONDITION: StepCondition = 'on_success';
export const DEFAULT_OVERLAP: OverlapPolicy = 'allow';

/** Step ids appear inside `${steps.<id>.outputs.<key>}`, so no dots. */
export const STEP_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Job and workflow names: like step ids, plus dots for namespacing (`sales.load-orders`). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
/** Parameter names are identifiers so that `--param run_date=...` and `${params.runDate}` read naturally. */
export const PARAM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Job types as executors announce them: `noop`, `ingest.file`, `sql_transform`. */
export const JOB_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

/** The longest delay Node's timers accept (2^31-1 ms, ~24.8 days): bounds every timeout and retry delay. */
export const MAX_DURATION_MS = 2_147_483_647;
export const MAX_ATTEMPTS = 100;
export const MAX_BACKOFF_FACTOR = 100;
