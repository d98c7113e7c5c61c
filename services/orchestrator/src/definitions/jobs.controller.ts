import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Res } from '@nestjs/common';
import { IntParamPipe } from '@flowforge/http';
import type { HttpResponse } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { jobNotFound } from './definition.errors';
import { jobView, type JobView, type SavedJobView } from './definition.views';
import { DefinitionsService } from './definitions.service';
import { JobStore } from './job.store';
import { bodyObject } from './body-object';

/** Internal API over jobs (called by the gateway). The body is validated by the workflow model. */
@Controller('internal/orchestrator/jobs')
export class JobsController {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly definitions: DefinitionsService,
    private readonly jobs: JobStore,
  ) {}

  @Get()
  async list(): Promise<{ items: JobView[] }> {
    return { items: (await this.jobs.listLatest(this.pool)).map(jobView) };
  }

  @Get(':name')
  async latest(@Param('name') name: string): Promise<JobView> {
    const job = await this.jobs.latest(this.pool, name);
    if (!job) throw jobNotFound(name);
    return jobView(job);
  }

  @Get(':name/versions')
  async versions(@Param('name') name: string): Promise<{ items: JobView[] }> {
    const all = await this.jobs.versions(this.pool, name);
    if (all.length === 0) throw jobNotFound(name);
    return { items: all.map(jobView) };
  }

  @Get(':name/versions/:version')
  async version(@Param('name') name: string, @Param('version', new IntParamPipe('version')) version: number): Promise<JobView> {
    const job = await this.jobs.version(this.pool, name, version);
    if (!job) throw jobNotFound(name, version);
    return jobView(job);
  }

  /** 201 when a version was created, 200 when the content equals the latest version. */
  @Put(':name')
  async save(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: HttpResponse): Promise<SavedJobView> {
    const saved = await this.definitions.saveJob(name, bodyObject(body));
    res.statusCode = saved.status === 'unchanged' ? 200 : 201;
    return { status: saved.status, job: jobView(saved.job) };
  }

  /** Soft delete of every version: 204; 404 when there is none, 409 while it is in use. */
  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string): Promise<void> {
    await this.definitions.deleteJob(name);
  }
}
