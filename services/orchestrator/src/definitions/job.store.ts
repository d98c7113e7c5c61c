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

/** ff_orchestrator.jobs: rows are never updated; editing a job inserts version n+1. */
@Injectable()
export class JobStore {
  async latest(db: Queryable, name: string): Promise<JobRecord | null> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async version(db: Queryable, name: string, version: number): Promise<JobRecord | null> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 AND version = $2`, [name, version]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async versions(db: Queryable, name: string): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>(`SELECT * FROM ff_orchestrator.jobs WHERE name = $1 ORDER BY version DESC`, [name]);
    return rows.map(toRecord);
  }

  /** The latest version of every job, by name. */
  async listLatest(db: Queryable): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>(
      `SELECT DISTINCT ON (name) * FROM ff_orchestrator.jobs ORDER BY name, version DESC`,
    );
    return rows.map(toRecord);
  }

  /** name → versions that exist, for workflow validation (jobExists). */
  async versionIndex(db: Queryable): Promise<Map<string, Set<number>>> {
    const { rows } = await db.query<{ name: string; versions: number[] }>(
      `SELECT name, array_agg(version) AS versions FROM ff_orchestrator.jobs GROUP BY name`,
    );
    return new Map(rows.map((r) => [r.name, new Set(r.versions)]));
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
