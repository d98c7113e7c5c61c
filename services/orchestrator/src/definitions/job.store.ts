import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

/** One immutable version of a job: a typed configuration steps refer to by name (and version). */
export interface JobRecord {
  name: string;
  version: number;
  type: string;
  description: string | null;
  config: Record<string, unknown>;
  specHash: string;
  createdAt: Date;
}

interface JobRow extends Record<string, unknown> {
  name: string;
  version: number;
  type: string;
  description: string | null;
  config: Record<string, unknown>;
  spec_hash: string;
  created_at: Date;
}

const toRecord = (r: JobRow): JobRecord => ({
  name: r.name,
  version: r.version,
  type: r.type,
  description: r.description,
  config: r.config,
  specHash: r.spec_hash,
  createdAt: r.created_at,
});

/**
 * ff_orchestrator.jobs: editing a job inserts version n+1; the only update is the soft delete
 * (`deleted_at` on every version), after which reads no longer see the name.
 */
@Injectable()
export class JobStore {
  async latest(db: Queryable, name: string): Promise<JobRecord | null> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async version(db: Queryable, name: string, version: number): Promise<JobRecord | null> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 AND version = $2 AND deleted_at IS NULL`, [name, version]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** A version a run pinned, deleted or not (the dispatcher of a run that was created before the delete). */
  async pinned(db: Queryable, name: string, version: number): Promise<JobRecord | null> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 AND version = $2`, [name, version]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async versions(db: Queryable, name: string): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 AND deleted_at IS NULL ORDER BY version DESC`, [name]);
    return rows.map(toRecord);
  }

  /** The latest version of every job, by name. */
  async listLatest(db: Queryable): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>(`SELECT DISTINCT ON (name) * FROM ff_orchestrator.jobs WHERE deleted_at IS NULL ORDER BY name, version DESC`);
    return rows.map(toRecord);
  }

  /** name → versions that exist, for workflow validation (jobExists). */
  async versionIndex(db: Queryable): Promise<Map<string, Set<number>>> {
    const { rows } = await db.query<{ name: string; versions: number[] }>(
      `SELECT name, array_agg(version) AS versions FROM ff_orchestrator.jobs WHERE deleted_at IS NULL GROUP BY name`,
    );
    return new Map(rows.map((r) => [r.name, new Set(r.versions)]));
  }

  /** The highest version ever stored, deleted ones included: a name created again continues after it. */
  async maxVersion(tx: Queryable, name: string): Promise<number> {
    const { rows } = await tx.query<{ max: number | null }>(`SELECT max(version) AS max FROM ff_orchestrator.jobs WHERE name = $1`, [name]);
    return rows[0]?.max ?? 0;
  }

  /** Marks every live version deleted; the number of versions it marked (0: nothing to delete). */
  async softDelete(tx: Queryable, name: string): Promise<number> {
    const res = await tx.query(`UPDATE ff_orchestrator.jobs SET deleted_at = now() WHERE name = $1 AND deleted_at IS NULL`, [name]);
    return res.rowCount ?? 0;
  }

  /** Live workflows whose latest version has a step using job `name`. */
  async usedByCurrentWorkflows(db: Queryable, name: string): Promise<string[]> {
    const { rows } = await db.query<{ name: string }>(
      `SELECT w.name FROM (SELECT DISTINCT ON (name) name, spec FROM ff_orchestrator.workflows WHERE deleted_at IS NULL ORDER BY name, version DESC) w
       WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(w.spec -> 'steps') s WHERE s ->> 'job' = $1)
       ORDER BY w.name`,
      [name],
    );
    return rows.map((r) => r.name);
  }

  async insert(tx: Queryable, job: Omit<JobRecord, 'createdAt'>): Promise<JobRecord> {
    const { rows } = await tx.query<JobRow>(
      `INSERT INTO ff_orchestrator.jobs (name, version, type, description, config, spec_hash)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING *`,
      [job.name, job.version, job.type, job.description, JSON.stringify(job.config), job.specHash],
    );
    return toRecord(rows[0]!);
  }
}
