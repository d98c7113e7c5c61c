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

/** ff_orchestrator.job_types: one row per type, the newest announced version wins. */
@Injectable()
export class JobTypeStore {
  /**
   * A replica of an older release re-announcing during a rolling deploy must not roll the schema back,
   * so an announcement only replaces a row of the same or an older version.
   */
  async upsert(tx: Queryable, t: Omit<JobType, 'registeredAt'>): Promise<boolean> {
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

  async list(db: Queryable): Promise<JobType[]> {
    const { rows } = await db.query<JobTypeRow>(`SELECT * FROM ff_orchestrator.job_types ORDER BY type`);
    return rows.map(toJobType);
  }
}
