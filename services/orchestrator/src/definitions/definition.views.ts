import type { WorkflowSpec } from '@flowforge/workflow';
import type { SaveStatus } from './definition.writer';
import type { JobRecord } from './job.store';
import type { WorkflowRecord } from './workflow.store';

/** A job version as the internal API shows it. */
export interface JobView {
  name: string;
  version: number;
  type: string;
  description: string | null;
  config: Record<string, unknown>;
  createdAt: string;
}

export interface WorkflowView {
  name: string;
  version: number;
  description: string | null;
  spec: WorkflowSpec;
  createdAt: string;
}

export interface SavedJobView {
  status: SaveStatus;
  job: JobView;
}

export interface SavedWorkflowView {
  status: SaveStatus;
  workflow: WorkflowView;
}

export const jobView = (j: JobRecord): JobView => ({
  name: j.name,
  version: j.version,
  type: j.type,
  description: j.description,
  config: j.config,
  createdAt: j.createdAt.toISOString(),
});

export const workflowView = (w: WorkflowRecord): WorkflowView => ({
  name: w.name,
  version: w.version,
  description: w.spec.description ?? null,
  spec: w.spec,
  createdAt: w.createdAt.toISOString(),
});
