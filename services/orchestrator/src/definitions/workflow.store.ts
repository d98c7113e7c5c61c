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

/**
 * ff_orchestrator.workflows: editing a workflow inserts version n+1; the only update is the soft delete
 * (`deleted_at` on every version), after which reads no longer see the name.
 */
@Injectable()
export class WorkflowStore {
  async latest(db: Queryable, name: string): Promise<WorkflowRecord | null> {
    const { rows } = await db.query<WorkflowRow>(
      `SELECT * FROM ff_orchestrator.workflows WHERE name = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1`,
      [name],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async version(db: Queryable, name: string, version: number): Promise<WorkflowRecord | null> {
    const { rows } = await db.query<WorkflowRow>(`SELECT * FROM ff_orchestrator.workflows WHERE name = $1 AND version = $2 AND deleted_at IS NULL`, [
      name,
      version,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async versions(db: Queryable, name: string): Promise<WorkflowRecord[]> {
    const { rows } = await db.query<WorkflowRow>(`SELECT * FROM ff_orchestrator.workflows WHERE name = $1 AND deleted_at IS NULL ORDER BY version DESC`, [
      name,
    ]);
    return rows.map(toRecord);
  }

  async listLatest(db: Queryable): Promise<WorkflowRecord[]> {
    const { rows } = await db.query<WorkflowRow>(
      `SELECT DISTINCT ON (name) * FROM ff_orchestrator.workflows WHERE deleted_at IS NULL ORDER BY name, version DESC`,
    );
    return rows.map(toRecord);
  }

  /** The highest version ever stored, deleted ones included: a name created again continues after it. */
  async maxVersion(tx: Queryable, name: string): Promise<number> {
    const { rows } = await tx.query<{ max: number | null }>(`SELECT max(version) AS max FROM ff_orchestrator.workflows WHERE name = $1`, [name]);
    return rows[0]?.max ?? 0;
  }

  /** Marks every live version deleted; the number of versions it marked (0: nothing to delete). */
  async softDelete(tx: Queryable, name: string): Promise<number> {
    const res = await tx.query(`UPDATE ff_orchestrator.workflows SET deleted_at = now() WHERE name = $1 AND deleted_at IS NULL`, [name]);
    return res.rowCount ?? 0;
  }

  async insert(tx: Queryable, wf: Omit<WorkflowRecord, 'createdAt'>): Promise<WorkflowRecord> {
    const { rows } = await tx.query<WorkflowRow>(
      `INSERT INTO ff_orchestrator.workflows (name, version, spec, spec_hash) VALUES ($1, $2, $3::jsonb, $4) RETURNING *`,
      [wf.name, wf.version, JSON.stringify(wf.spec), wf.specHash],
    );
    return toRecord(rows[0]!);
  }
}
