import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '@flowforge/db';
import { resolveParameters, WorkflowValidationError, type WorkflowSpec } from '@flowforge/workflow';
import { validationProblem, workflowNotFound } from '../definitions/definition.errors';
import { JobStore } from '../definitions/job.store';
import { WorkflowStore, type WorkflowRecord } from '../definitions/workflow.store';
import { JobTypeStore } from '../registry/job-type.store';
import { RunAdmission } from './run.admission';
import { idempotencyConflict, RunRefused } from './run.errors';
import type { RunRecord, StepRecord } from './run.records';
import { RunScope } from './run.scope';
import { RunTransitions } from './run.transitions';
import { RunStepStore } from './run-step.store';
import { RunStore, type NewRun } from './run.store';

export interface RunRequest {
  /** Chosen by the requester (RunRequested carries it); generated when absent. */
  runId?: string;
  workflow: string;
  /** null/undefined: the latest version. */
  workflowVersion?: number | null;
  params: Record<string, unknown>;
  idempotencyKey?: string | null;
  requestedBy: string;
}

export interface CreatedRun {
  run: RunRecord;
  /** false: the id or idempotency key named an existing run, which is returned instead. */
  created: boolean;
}

/** The step rows of a new run, pinned: each step's job version and executor are fixed now. */
export interface PinnedRun {
  spec: WorkflowSpec;
  steps: Omit<StepRecord, 'runId'>[];
}

/**
 * Creates a run: resolves the workflow version and parameters, pins every step's job version (the
 * latest unless the step pins one) and executor, inserts run and steps, records `queued`, and hands
 * the run to admission — which may start it and dispatch its first steps in this same transaction.
 */
@Injectable()
export class RunCreator {
  constructor(
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
    private readonly workflows: WorkflowStore,
    private readonly jobs: JobStore,
    private readonly jobTypes: JobTypeStore,
    private readonly transitions: RunTransitions,
    private readonly admission: RunAdmission,
  ) {}

  async create(tx: Queryable, req: RunRequest): Promise<CreatedRun> {
    if (req.idempotencyKey) {
      const existing = await this.runs.findByKey(tx, req.idempotencyKey);
      if (existing) return this.replay(existing, req);
    }
    if (req.runId) {
      const existing = await this.runs.find(tx, req.runId);
      if (existing) return { run: existing, created: false };
    }
    const wf = await this.workflow(tx, req.workflow, req.workflowVersion ?? null);
    let params: Record<string, unknown>;
    try {
      params = resolveParameters(wf.spec.parameters, req.params);
    } catch (err) {
      if (err instanceof WorkflowValidationError) throw validationProblem(err);
      throw err;
    }
    const pinned = await this.pin(tx, wf.spec);
    return this.insert(
      tx,
      {
        id: req.runId ?? randomUUID(),
        workflowName: wf.name,
        workflowVersion: wf.version,
        spec: pinned.spec,
        params,
        idempotencyKey: req.idempotencyKey ?? null,
        requestedBy: req.requestedBy,
        parentRunId: null,
        rerunFrom: null,
      },
      pinned.steps,
      req,
    );
  }

  /** Inserts a run with its steps and admits it (also used by rerun, with steps copied from the parent). */
  async insert(tx: Queryable, run: NewRun, steps: Omit<StepRecord, 'runId'>[], req?: RunRequest): Promise<CreatedRun> {
    const locked = await this.runs.insert(tx, run);
    if (!locked) {
      // A concurrent request with the same key or id committed first: its run is the answer.
      const existing = (run.idempotencyKey ? await this.runs.findByKey(tx, run.idempotencyKey) : null) ?? (await this.runs.find(tx, run.id));
      if (!existing) throw new Error(`FF_RUN_CREATE_RACE: run ${run.id} conflicted but no conflicting run is visible`);
      return req ? this.replay(existing, req) : { run: existing, created: false };
    }
    const rows: StepRecord[] = steps.map((s) => ({ ...s, runId: run.id }));
    await this.steps.insertMany(tx, rows);
    const scope = new RunScope(tx, locked.now, locked.run, rows);
    await this.transitions.created(scope);
    await this.admission.admit(scope);
    // A run can finish at once (every step refused before dispatch): its slot goes to the next queued run.
    await this.admission.afterChange(scope);
    return { run: scope.run, created: true };
  }

  /** Pins job versions and executors of every step of `spec` as they are now. */
  async pin(tx: Queryable, spec: WorkflowSpec): Promise<PinnedRun> {
    const steps: Omit<StepRecord, 'runId'>[] = [];
    const pinnedSpecs = [];
    for (const [position, step] of spec.steps.entries()) {
      const job = step.jobVersion === undefined ? await this.jobs.latest(tx, step.job) : await this.jobs.version(tx, step.job, step.jobVersion);
      if (!job) {
        const what = step.jobVersion === undefined ? `job "${step.job}" does not exist` : `job "${step.job}" has no version ${step.jobVersion}`;
        throw new RunRefused('FF_JOB_NOT_FOUND', 409, `step "${step.id}": ${what}`, `steps.${step.id}.job`);
      }
      const type = await this.jobTypes.findRecent(tx, job.type);
      if (!type) {
        throw new RunRefused(
          'FF_JOB_TYPE_UNKNOWN',
          409,
          `step "${step.id}": job "${job.name}" v${job.version} has type "${job.type}", which no executor has announced (is its executor running?)`,
          `steps.${step.id}.job`,
        );
      }
      pinnedSpecs.push({ ...step, jobVersion: job.version });
      steps.push({
        stepId: step.id,
        position,
        jobName: job.name,
        jobVersion: job.version,
        jobType: job.type,
        executor: type.executor,
        state: 'pending',
        attempt: 0,
        failures: 0,
        lostAttempts: 0,
        nextAttemptAt: null,
        leaseExpiresAt: null,
        deadlineAt: null,
        heldAt: null,
        outputs: null,
        errorCode: null,
        errorMessage: null,
        reason: null,
        startedAt: null,
        finishedAt: null,
        progress: null,
      });
    }
    return { spec: { ...spec, steps: pinnedSpecs }, steps };
  }

  /**
   * The run an idempotency key (or run id) already names. A key stands for one request: reused for
   * another workflow, version or parameters it would silently hand back a run that is not what was
   * asked, so that is refused (422) — the same request again still gets the first run.
   */
  private replay(existing: RunRecord, req: RunRequest): CreatedRun {
    const key = req.idempotencyKey;
    if (!key || existing.idempotencyKey !== key) return { run: existing, created: false };
    const differs = requestDifference(existing, req);
    if (differs) throw idempotencyConflict(key, existing, differs);
    return { run: existing, created: false };
  }

  private async workflow(tx: Queryable, name: string, version: number | null): Promise<WorkflowRecord> {
    const wf = version === null ? await this.workflows.latest(tx, name) : await this.workflows.version(tx, name, version);
    if (!wf) throw workflowNotFound(name, version ?? undefined);
    return wf;
  }
}

/** What in `req` differs from the request that made `existing` (null: the same request). */
function requestDifference(existing: RunRecord, req: RunRequest): { field: string; message: string } | null {
  if (existing.workflowName !== req.workflow) {
    return { field: 'workflow', message: `it names workflow "${req.workflow}", the run is of workflow "${existing.workflowName}"` };
  }
  // No version asked = "the latest": a retry after a new version was saved still means the first run.
  if (req.workflowVersion != null && req.workflowVersion !== existing.workflowVersion) {
    return { field: 'workflowVersion', message: `it asks version ${req.workflowVersion}, the run is of version ${existing.workflowVersion}` };
  }
  // Compared resolved (defaults filled, text converted) against the run's own pinned parameter specs,
  // so `{limit: "10"}` and an omitted defaulted `limit` are the same request as the stored `{limit: 10}`.
  let resolved: Record<string, unknown>;
  try {
    resolved = resolveParameters(existing.spec.parameters, req.params);
  } catch (err) {
    if (!(err instanceof WorkflowValidationError)) throw err;
    return { field: 'params', message: 'its parameters are not valid for that run, so they differ from the ones the run was created with' };
  }
  if (stableJson(resolved) !== stableJson(existing.params)) {
    const names = [...new Set([...Object.keys(resolved), ...Object.keys(existing.params)])]
      .filter((n) => stableJson(resolved[n] ?? null) !== stableJson(existing.params[n] ?? null))
      .sort();
    return { field: 'params', message: `its parameters differ from the run's (${names.map((n) => `"${n}"`).join(', ')})` };
  }
  return null;
}

/** JSON with object keys sorted at every depth: jsonb gives stored parameters back in its own key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
