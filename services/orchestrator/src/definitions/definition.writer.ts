import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { AuditTrail } from '@flowforge/service-kit';
import { WorkflowValidationError, type JobContext, type JobSpec, type WorkflowContext, type WorkflowSpec } from '@flowforge/workflow';
import { JobTypeStore } from '../registry/job-type.store';
import { specHash } from './canonical-json';
import { jobHasActiveRuns, jobNotFound, jobUsedByWorkflows, validationProblem, workflowHasActiveRuns, workflowNotFound } from './definition.errors';
import { JobStore, type JobRecord } from './job.store';
import { WorkflowStore, type WorkflowRecord } from './workflow.store';

export type SaveStatus = 'created' | 'updated' | 'unchanged';

export interface SavedJob {
  status: SaveStatus;
  job: JobRecord;
}

export interface SavedWorkflow {
  status: SaveStatus;
  workflow: WorkflowRecord;
}

/** What the job of a spec hashes to: everything a version is made of. */
const jobContent = (spec: JobSpec) => ({ type: spec.type, description: spec.description ?? null, config: spec.config });

/**
 * Writes validated jobs and workflows as versions, each new version audited with its before/after. Two writers of one name are serialised by an
 * advisory lock on the name, so "latest + 1" never collides; a spec whose normalised form hashes like
 * the latest version is left alone — re-applying a file creates nothing.
 */
@Injectable()
export class DefinitionWriter {
  constructor(
    private readonly jobs: JobStore,
    private readonly workflows: WorkflowStore,
    private readonly jobTypes: JobTypeStore,
    private readonly audit: AuditTrail,
  ) {}

  /** What validation needs from the catalog: registered job types and the existing job versions. */
  async context(db: Queryable): Promise<WorkflowContext & JobContext> {
    const types = new Map((await this.jobTypes.list(db)).map((t) => [t.type, t.configSchema]));
    const versions = await this.jobs.versionIndex(db);
    return {
      jobConfigSchema: (type) => types.get(type),
      jobExists: (name, version) => (version === undefined ? versions.has(name) : (versions.get(name)?.has(version) ?? false)),
    };
  }

  async saveJob(tx: Queryable, spec: JobSpec): Promise<SavedJob> {
    await lockName(tx, 'job', spec.name);
    const latest = await this.jobs.latest(tx, spec.name);
    const hash = specHash(jobContent(spec));
    if (latest?.specHash === hash) return { status: 'unchanged', job: latest };
    const job = await this.jobs.insert(tx, {
      name: spec.name,
      version: (await this.jobs.maxVersion(tx, spec.name)) + 1,
      type: spec.type,
      description: spec.description ?? null,
      config: spec.config,
      specHash: hash,
    });
    await this.audit.change(tx, 'orchestrator', {
      action: latest ? 'job:edit' : 'job:create',
      resourceType: 'job',
      resourceId: spec.name,
      before: latest ? { version: latest.version, ...jobSpecOf(latest) } : null,
      after: { version: job.version, ...jobSpecOf(job) },
    });
    return { status: latest ? 'updated' : 'created', job };
  }

  async saveWorkflow(tx: Queryable, spec: WorkflowSpec): Promise<SavedWorkflow> {
    await lockName(tx, 'workflow', spec.name);
    await this.holdJobs(tx, spec);
    const latest = await this.workflows.latest(tx, spec.name);
    const hash = specHash(spec);
    if (latest?.specHash === hash) return { status: 'unchanged', workflow: latest };
    const workflow = await this.workflows.insert(tx, { name: spec.name, version: (await this.workflows.maxVersion(tx, spec.name)) + 1, spec, specHash: hash });
    await this.audit.change(tx, 'orchestrator', {
      action: latest ? 'workflow:edit' : 'workflow:create',
      resourceType: 'workflow',
      resourceId: spec.name,
      before: latest ? { version: latest.version, spec: latest.spec } : null,
      after: { version: workflow.version, spec },
    });
    return { status: latest ? 'updated' : 'created', workflow };
  }

  /**
   * Holds the jobs the workflow uses against a concurrent delete (shared lock on each name; deleteJob
   * takes it exclusively), then checks they still exist: validation read them before the lock, and a
   * delete that committed in between would leave a workflow whose runs cannot start.
   */
  private async holdJobs(tx: Queryable, spec: WorkflowSpec): Promise<void> {
    const names = [...new Set(spec.steps.map((s) => s.job))].sort();
    for (const name of names) await tx.query(`SELECT pg_advisory_xact_lock_shared(hashtext($1))`, [`ff-orchestrator:job:${name}`]);
    const { rows } = await tx.query<{ name: string; version: number }>(
      `SELECT name, version FROM ff_orchestrator.jobs WHERE name = ANY($1::text[]) AND deleted_at IS NULL`,
      [names],
    );
    const live = new Set(rows.map((r) => `${r.name}@${r.version}`));
    const liveNames = new Set(rows.map((r) => r.name));
    const issues = spec.steps.flatMap((step, i) =>
      (step.jobVersion === undefined ? liveNames.has(step.job) : live.has(`${step.job}@${step.jobVersion}`))
        ? []
        : [
            {
              path: `steps[${i}].job`,
              stepId: step.id,
              message: `job "${step.job}"${step.jobVersion === undefined ? '' : ` version ${step.jobVersion}`} was deleted meanwhile`,
            },
          ],
    );
    if (issues.length > 0) throw validationProblem(new WorkflowValidationError('FF_WORKFLOW_INVALID', issues));
  }

  /**
   * Soft-deletes every version of workflow `name`, refused while a run of it is queued or running.
   * `runs` is locked against inserts first, so a run created concurrently is either visible to the
   * check (committed before) or refused by the runs trigger (inserted after the delete).
   */
  async deleteWorkflow(tx: Queryable, name: string): Promise<void> {
    await lockName(tx, 'workflow', name);
    await lockRunInserts(tx);
    const latest = await this.workflows.latest(tx, name);
    if (!latest) throw workflowNotFound(name);
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM ff_orchestrator.runs WHERE workflow_name = $1 AND state IN ('queued','running') ORDER BY seq LIMIT ${IN_USE_SHOWN + 1}`,
      [name],
    );
    if (rows.length > 0)
      throw workflowHasActiveRuns(
        name,
        rows.map((r) => r.id),
      );
    await this.workflows.softDelete(tx, name);
    await this.audit.change(tx, 'orchestrator', {
      action: 'workflow:delete',
      resourceType: 'workflow',
      resourceId: name,
      before: { version: latest.version, spec: latest.spec },
      after: null,
    });
  }

  /**
   * Soft-deletes every version of job `name`, refused while the latest version of a workflow uses it
   * (naming them) or a queued/running run has a step of it.
   */
  async deleteJob(tx: Queryable, name: string): Promise<void> {
    await lockName(tx, 'job', name);
    await lockRunInserts(tx);
    const latest = await this.jobs.latest(tx, name);
    if (!latest) throw jobNotFound(name);
    const users = await this.jobs.usedByCurrentWorkflows(tx, name);
    if (users.length > 0) throw jobUsedByWorkflows(name, users);
    const { rows } = await tx.query<{ id: string }>(
      `SELECT DISTINCT r.id, r.seq FROM ff_orchestrator.runs r JOIN ff_orchestrator.run_steps s ON s.run_id = r.id
       WHERE r.state IN ('queued','running') AND s.job_name = $1 ORDER BY r.seq LIMIT ${IN_USE_SHOWN + 1}`,
      [name],
    );
    if (rows.length > 0)
      throw jobHasActiveRuns(
        name,
        rows.map((r) => r.id),
      );
    await this.jobs.softDelete(tx, name);
    await this.audit.change(tx, 'orchestrator', {
      action: 'job:delete',
      resourceType: 'job',
      resourceId: name,
      before: { version: latest.version, ...jobSpecOf(latest) },
      after: null,
    });
  }
}

/** How many active runs a refusal lists (the detail says when there are more). */
const IN_USE_SHOWN = 5;

/**
 * Waits for run creations in flight to commit and holds new ones until this transaction ends (SHARE
 * ROW EXCLUSIVE conflicts with INSERT/UPDATE/DELETE, not reads: the engine's run updates wait too, for
 * the few milliseconds a delete takes; deletes are rare).
 */
async function lockRunInserts(tx: Queryable): Promise<void> {
  await tx.query(`LOCK TABLE ff_orchestrator.runs IN SHARE ROW EXCLUSIVE MODE`);
}

async function lockName(tx: Queryable, kind: 'job' | 'workflow', name: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`ff-orchestrator:${kind}:${name}`]);
}

/** A stored job back as the model's JobSpec (for export and dispatch). */
export function jobSpecOf(job: JobRecord): JobSpec {
  return { name: job.name, type: job.type, ...(job.description !== null && { description: job.description }), config: job.config };
}
