import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

/** A job type as an executor announced it (ExecutorRegistered): who runs it and what config it takes. */
export interface JobType {
  type: string;
  executor: string;
  version: number;
  /** JSON Schema (draft 2020-12) of the job configuration. */
  configSchema: Record<string, unknown>;
  description: string | null;
  instanceId: string;
  registeredAt: Date;
}

interface JobTypeRow extends Record<string, unknown> {
  type: string;
  executor: string;
  version: number;
  config_schema: Record<string, unknown>;
  description: string | null;
  instance_id: string;
  registered_at: Date;
}

const toJobType = (r: JobTypeRow): JobType => ({
  type: r.type,
  executor: r.executor,
  version: r.version,
  configSchema: r.config_schema,
  description: r.description,
  instanceId: r.instance_id,
  registeredAt: r.registered_at,
});

/** How long a job type read for the run engine is reused: announcements are rare, runs are not. */
const RECENT_TTL_MS = 1_000;

/** ff_orchestrator.job_types: one row per type, the newest announced version wins. */
@Injectable()
export class JobTypeStore {
  private readonly recent = new Map<string, { type: JobType; until: number }>();

  /**
   * A replica of an older release re-announcing during a rolling deploy must not roll the schema back,
   * so an announcement only replaces a row of the same or an older version.
   */
  async upsert(tx: Queryable, t: Omit<JobType, 'registeredAt'>): Promise<boolean> {
    this.recent.delete(t.type);
    const res = await tx.query(
      `INSERT INTO ff_orchestrator.job_types (type, executor, version, config_schema, description, instance_id)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (type) DO UPDATE SET executor = EXCLUDED.executor, version = EXCLUDED.version,
         config_schema = EXCLUDED.config_schema, description = EXCLUDED.description,
         instance_id = EXCLUDED.instance_id, registered_at = now()
       WHERE job_types.version <= EXCLUDED.version`,
      [t.type, t.executor, t.version, JSON.stringify(t.configSchema), t.description, t.instanceId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async find(db: Queryable, type: string): Promise<JobType | null> {
    const { rows } = await db.query<JobTypeRow>(`SELECT * FROM ff_orchestrator.job_types WHERE type = $1`, [type]);
    return rows[0] ? toJobType(rows[0]) : null;
  }

  /**
   * find(), or its answer from less than RECENT_TTL_MS ago: the run engine reads a type for every run
   * it creates and every step it dispatches. Only found types are kept, so a type announced a moment
   * ago is never refused; a re-announcement (new version, another executor) shows within the TTL.
   */
  async findRecent(db: Queryable, type: string): Promise<JobType | null> {
    const cached = this.recent.get(type);
    if (cached && cached.until > Date.now()) return cached.type;
    const found = await this.find(db, type);
    if (found) this.recent.set(type, { type: found, until: Date.now() + RECENT_TTL_MS });
    else this.recent.delete(type);
    return found;
  }

  async list(db: Queryable): Promise<JobType[]> {
    const { rows } = await db.query<JobTypeRow>(`SELECT * FROM ff_orchestrator.job_types ORDER BY type`);
    return rows.map(toJobType);
  }
}
