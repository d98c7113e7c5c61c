import { Controller, Get, Inject, Param } from '@nestjs/common';
import { NotFoundProblem } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { JobTypeStore, type JobType } from './job-type.store';

export interface JobTypeView {
  type: string;
  executor: string;
  version: number;
  configSchema: Record<string, unknown>;
  description: string | null;
  registeredAt: string;
}

const view = (t: JobType): JobTypeView => ({
  type: t.type,
  executor: t.executor,
  version: t.version,
  configSchema: t.configSchema,
  description: t.description,
  registeredAt: t.registeredAt.toISOString(),
});

/** Internal query API over the job type registry. */
@Controller('internal/orchestrator/job-types')
export class JobTypesController {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly store: JobTypeStore,
  ) {}

  @Get()
  async list(): Promise<{ items: JobTypeView[] }> {
    return { items: (await this.store.list(this.pool)).map(view) };
  }

  @Get(':type')
  async get(@Param('type') type: string): Promise<JobTypeView> {
    const t = await this.store.find(this.pool, type);
    if (!t) throw new NotFoundProblem('FF_JOB_TYPE_NOT_FOUND', `job type "${type}" has not been announced by any executor`);
    return view(t);
  }
}
