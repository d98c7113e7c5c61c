import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { WorkflowSpec } from '@flowforge/workflow';

/** One immutable version of a workflow, stored as its validated, normalised spec. */
export interface WorkflowRecord {
  name: string;
  version: number;
  spec: WorkflowSpec;
  specHash: string;
  createdAt: Date;
}

interface WorkflowRow extends Record<string, unknown> {
  name: string;
  version: number;
  spec: WorkflowSpec;
  spec_hash: string;
  created_at: Date;
}

const toRecord = (r: WorkflowRow): WorkflowRecord => ({
  name: r.name,
  version: r.version,
  spec: r.spec,
  specHash: r.spec_hash,
  createdAt: r.created_at,
});

/** ff_orchestrator.workflows: rows are never updated; editing a workflow inserts version n+1. */
@Injectable()
export class WorkflowStore {
  async latest(db: Queryable, name: string): Promise<WorkflowRecord | null> {
    const { rows } = await db.query<WorkflowRow>(`SELECT * FROM ff_orchestrator.workflows WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async version(db: Queryable, name: string, version: number): Promise<WorkflowRecord | null> {
    const { rows } = await db.query<WorkflowRow>(`SELECT * FROM ff_orchestrator.workflows WHERE name = $1 AND version = $2`, [name, version]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async versions(db: Queryable, name: string): Promise<WorkflowRecord[]> {
    const { rows } = await db.query<WorkflowRow>(`SELECT * FROM ff_orchestrator.workflows WHERE name = $1 ORDER BY version DESC`, [name]);
    return rows.map(toRecord);
  }

  async listLatest(db: Queryable): Promise<WorkflowRecord[]> {
    const { rows } = await db.query<WorkflowRow>(`SELECT DISTINCT ON (name) * FROM ff_orchestrator.workflows ORDER BY name, version DESC`);
    return rows.map(toRecord);
  }

  async insert(tx: Queryable, wf: Omit<WorkflowRecord, 'createdAt'>): Promise<WorkflowRecord> {
    const { rows } = await tx.query<WorkflowRow>(
      `INSERT INTO ff_orchestrator.workflows (name, version, spec, spec_hash) VALUES ($1, $2, $3::jsonb, $4) RETURNING *`,
      [wf.name, wf.version, JSON.stringify(wf.spec), wf.specHash],
    );
    return toRecord(rows[0]!);
  }
}
