import { Inject, Injectable } from '@nestjs/common';
import { withTransaction } from '@flowforge/db';
import { FlowForgeError } from '@flowforge/service-kit';
import { parseDocuments, toYamlDocuments, validateJob, validateWorkflow, type JobSpec, type WorkflowSpec } from '@flowforge/workflow';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { asProblem, jobNotFound, nameMismatch, RESERVED_WORKFLOW_NAMES, reservedName, workflowNotFound } from './definition.errors';
import { DefinitionWriter, jobSpecOf, type SaveStatus, type SavedJob, type SavedWorkflow } from './definition.writer';
import { JobStore } from './job.store';
import { WorkflowStore } from './workflow.store';

export interface AppliedDocument {
  kind: 'Job' | 'Workflow';
  name: string;
  version: number;
  status: SaveStatus;
}

/**
 * Jobs and workflows as versioned definitions, one at a time (PUT) or as workflow-as-code (apply /
 * export). Validation is the workflow model's (libs/workflow); this service adds the catalog it needs
 * (registered job types, existing jobs) and the transaction.
 */
@Injectable()
export class DefinitionsService {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly writer: DefinitionWriter,
    private readonly jobs: JobStore,
    private readonly workflows: WorkflowStore,
  ) {}

  /** Creates the job, or its next version when the content differs from the latest. */
  saveJob(name: string, body: Record<string, unknown>): Promise<SavedJob> {
    if (body.name !== undefined && body.name !== name) throw nameMismatch('job', name, body.name);
    return withTransaction(this.pool, async (tx) => {
      const ctx = await this.writer.context(tx);
      const spec = await asProblem(() => validateJob({ ...body, name }, ctx));
      return this.writer.saveJob(tx, spec);
    });
  }

  /** Creates the workflow, or its next version when the normalised spec differs from the latest. */
  saveWorkflow(name: string, body: Record<string, unknown>): Promise<SavedWorkflow> {
    if (body.name !== undefined && body.name !== name) throw nameMismatch('workflow', name, body.name);
    if (RESERVED_WORKFLOW_NAMES.has(name)) throw reservedName(name);
    return withTransaction(this.pool, async (tx) => {
      const ctx = await this.writer.context(tx);
      const spec = await asProblem(() => validateWorkflow({ ...body, name }, ctx));
      return this.writer.saveWorkflow(tx, spec);
    });
  }

  /** Soft-deletes workflow `name` (every version), audited; 409 while runs of it are active. */
  deleteWorkflow(name: string): Promise<void> {
    return withTransaction(this.pool, (tx) => this.writer.deleteWorkflow(tx, name));
  }

  /** Soft-deletes job `name` (every version), audited; 409 while a current workflow or an active run uses it. */
  deleteJob(name: string): Promise<void> {
    return withTransaction(this.pool, (tx) => this.writer.deleteJob(tx, name));
  }

  /**
   * Applies a multi-document YAML file in one transaction: every document is valid or nothing is
   * written. Jobs first, since the file's workflows may use them.
   */
  apply(yamlText: string): Promise<AppliedDocument[]> {
    return withTransaction(this.pool, async (tx) => {
      const ctx = await this.writer.context(tx);
      const docs = await asProblem(() => parseDocuments(yamlText, ctx));
      // Schedules and triggers belong to their services: the gateway applies them after this transaction
      // and sends this service only the jobs and workflows. One reaching here would be silently skipped.
      const declared = [...(docs.schedules ?? []), ...(docs.triggers ?? [])];
      if (declared.length > 0) {
        throw new FlowForgeError(
          'FF_YAML_INVALID',
          400,
          'YAML document is invalid',
          `${declared[0]!.kind} "${declared[0]!.name}": schedules and triggers are applied through the gateway (POST /api/v1/workflows/apply), not by the orchestrator`,
        );
      }
      const reserved = docs.workflows.find((w) => RESERVED_WORKFLOW_NAMES.has(w.name));
      if (reserved) throw reservedName(reserved.name);
      const out: AppliedDocument[] = [];
      for (const spec of docs.jobs) {
        const saved = await this.writer.saveJob(tx, spec);
        out.push({ kind: 'Job', name: saved.job.name, version: saved.job.version, status: saved.status });
      }
      for (const spec of docs.workflows) {
        const saved = await this.writer.saveWorkflow(tx, spec);
        out.push({ kind: 'Workflow', name: saved.workflow.name, version: saved.workflow.version, status: saved.status });
      }
      return out;
    });
  }

  /**
   * The canonical YAML of the latest version of every job and workflow (or of one workflow and the
   * jobs it uses): applying it changes nothing, and exporting again gives the same text.
   */
  async exportYaml(workflowName?: string): Promise<string> {
    let workflows: WorkflowSpec[];
    let jobs: JobSpec[];
    if (workflowName === undefined) {
      workflows = (await this.workflows.listLatest(this.pool)).map((w) => w.spec);
      jobs = (await this.jobs.listLatest(this.pool)).map(jobSpecOf);
    } else {
      const wf = await this.workflows.latest(this.pool, workflowName);
      if (!wf) throw workflowNotFound(workflowName);
      workflows = [wf.spec];
      const names = [...new Set(wf.spec.steps.map((s) => s.job))];
      jobs = [];
      for (const name of names) {
        const job = await this.jobs.latest(this.pool, name);
        if (!job) throw jobNotFound(name);
        jobs.push(jobSpecOf(job));
      }
    }
    return toYamlDocuments({ jobs, workflows });
  }
}
