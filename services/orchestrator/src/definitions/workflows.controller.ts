import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { IntParamPipe } from '@flowforge/http';
import { readYamlBody, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { bodyObject } from './body-object';
import { workflowNotFound } from './definition.errors';
import { workflowView, type SavedWorkflowView, type WorkflowView } from './definition.views';
import { DefinitionsService, type AppliedDocument } from './definitions.service';
import { WorkflowStore } from './workflow.store';

/** Internal API over workflows and workflow-as-code (apply / export). */
@Controller('internal/orchestrator/workflows')
export class WorkflowsController {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly definitions: DefinitionsService,
    private readonly workflows: WorkflowStore,
  ) {}

  @Get()
  async list(): Promise<{ items: WorkflowView[] }> {
    return { items: (await this.workflows.listLatest(this.pool)).map(workflowView) };
  }

  /** Multi-document YAML (Jobs and Workflows) in one transaction; unchanged documents keep their version. */
  @Post('apply')
  @HttpCode(200)
  async apply(@Req() req: HttpRequest): Promise<{ documents: AppliedDocument[] }> {
    return { documents: await this.definitions.apply(await readYamlBody(req)) };
  }

  /** Canonical YAML of the latest versions (`?workflow=` narrows to one workflow and its jobs). */
  @Get('export')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  async export(@Query('workflow') workflow?: string): Promise<string> {
    return this.definitions.exportYaml(workflow === undefined || workflow === '' ? undefined : workflow);
  }

  @Get(':name')
  async latest(@Param('name') name: string): Promise<WorkflowView> {
    const wf = await this.workflows.latest(this.pool, name);
    if (!wf) throw workflowNotFound(name);
    return workflowView(wf);
  }

  @Get(':name/versions')
  async versions(@Param('name') name: string): Promise<{ items: WorkflowView[] }> {
    const all = await this.workflows.versions(this.pool, name);
    if (all.length === 0) throw workflowNotFound(name);
    return { items: all.map(workflowView) };
  }

  @Get(':name/versions/:version')
  async version(@Param('name') name: string, @Param('version', new IntParamPipe('version')) version: number): Promise<WorkflowView> {
    const wf = await this.workflows.version(this.pool, name, version);
    if (!wf) throw workflowNotFound(name, version);
    return workflowView(wf);
  }

  /** 201 when a version was created, 200 when the normalised spec equals the latest version. */
  @Put(':name')
  async save(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: HttpResponse): Promise<SavedWorkflowView> {
    const saved = await this.definitions.saveWorkflow(name, bodyObject(body));
    res.statusCode = saved.status === 'unchanged' ? 200 : 201;
    return { status: saved.status, workflow: workflowView(saved.workflow) };
  }

  /** Soft delete of every version: 204; 404 when there is none, 409 while it is in use. */
  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string): Promise<void> {
    await this.definitions.deleteWorkflow(name);
  }
}
