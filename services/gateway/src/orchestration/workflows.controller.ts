import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, ApiZodQuery, exportWorkflowsQuery, INT32_MAX, IntParamPipe, saveWorkflowRequest } from '@flowforge/http';
import { readYamlBody, ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { OrchestrationClient } from './orchestration.client';
import { WorkflowAsCode } from '../workflow-as-code/workflow-as-code.service';
import { ApplyResultDto, SavedWorkflowDto, WorkflowDto, WorkflowListDto } from './workflow.dto';
import { RequirePermission } from '../auth/route-access';

const nameParam = ApiParam({ name: 'name', example: 'daily-sales' });
const enc = encodeURIComponent;

function sendJson(res: HttpResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Public workflows API and workflow-as-code: `apply` takes a multi-document YAML file (Jobs and
 * Workflows) in one transaction, `export` gives the canonical YAML back (export -> apply -> export
 * gives the same text). `apply` and `export` are reserved workflow names.
 */
@ApiTags('workflows')
@ApiProblem(502, 'FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer')
@Controller('api/v1/workflows')
export class WorkflowsController {
  constructor(
    private readonly orchestrator: OrchestrationClient,
    private readonly workflowAsCode: WorkflowAsCode,
  ) {}

  @Get()
  @RequirePermission('workflow:view')
  @ApiOperation({ summary: 'List workflows', description: 'The latest version of every workflow, by name.' })
  @ApiResponse({ status: 200, type: WorkflowListDto })
  list(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: '/workflows' }, req, res);
  }

  @Post('apply')
  @RequirePermission('workflow:create')
  @ApiOperation({
    summary: 'Apply workflow-as-code',
    description:
      'Multi-document YAML (`apiVersion: flowforge.io/v1`, `kind: Job | Workflow | Schedule | Trigger`). Jobs and workflows are applied in one transaction: every one is valid or none is written; documents equal to their latest version create no version; errors name the line. Schedules and triggers then go to their services in file order (`schedule:edit` / `trigger:edit` needed, checked before anything is applied; a new one also `schedule:create` / `trigger:create`); one refused is answered naming it and what was applied before it — apply the fixed file again to finish. A webhook secret the triggers service generated is answered once, in `secret`.',
  })
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({
    schema: { type: 'string', example: 'apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: wait\nspec:\n  type: sleep\n  config: { ms: 1000 }\n' },
  })
  @ApiResponse({ status: 200, type: ApplyResultDto })
  @ApiProblem(400, 'FF_YAML_INVALID / FF_WORKFLOW_INVALID / FF_JOB_INVALID, each issue with its line')
  @ApiProblem(415, 'FF_UNSUPPORTED_MEDIA_TYPE')
  async apply(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const text = await readYamlBody(req);
    const combined = await this.workflowAsCode.apply(text, req);
    if (!combined) return this.orchestrator.forward({ method: 'POST', path: '/workflows/apply', raw: { contentType: 'application/yaml', text } }, req, res);
    sendJson(res, 200, combined);
  }

  @Get('export')
  @RequirePermission('workflow:view')
  @ApiOperation({
    summary: 'Export workflow-as-code',
    description:
      'Canonical YAML of the latest version of every job and workflow, or of one workflow and the jobs it uses; then the schedules and triggers of those workflows that the caller may view (`schedule:view`, `trigger:view`; secrets as `{set: true}`, which applying keeps).',
  })
  @ApiProduces('application/yaml')
  @ApiZodQuery(exportWorkflowsQuery)
  @ApiResponse({ status: 200, description: 'YAML documents', schema: { type: 'string' } })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  async export(@Query(new ZodCheckPipe(exportWorkflowsQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const yaml = await this.workflowAsCode.exportYaml(query, req);
    res.writeHead(200, { 'content-type': 'application/yaml; charset=utf-8', 'content-length': Buffer.byteLength(yaml) });
    res.end(yaml);
  }

  @Get(':name')
  @RequirePermission('workflow:view')
  @nameParam
  @ApiOperation({ summary: 'Get the latest version of a workflow' })
  @ApiResponse({ status: 200, type: WorkflowDto })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  get(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/workflows/${enc(name)}` }, req, res);
  }

  @Get(':name/versions')
  @RequirePermission('workflow:view')
  @nameParam
  @ApiOperation({ summary: 'List the versions of a workflow', description: 'Newest first.' })
  @ApiResponse({ status: 200, type: WorkflowListDto })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  versions(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/workflows/${enc(name)}/versions` }, req, res);
  }

  @Get(':name/versions/:version')
  @RequirePermission('workflow:view')
  @nameParam
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1, maximum: INT32_MAX }, example: 1 })
  @ApiProblem(400, 'FF_VALIDATION: the version is not an integer from 1 to 2147483647')
  @ApiOperation({ summary: 'Get one version of a workflow' })
  @ApiResponse({ status: 200, type: WorkflowDto })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  version(
    @Param('name') name: string,
    @Param('version', new IntParamPipe('version')) version: number,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/workflows/${enc(name)}/versions/${version}` }, req, res);
  }

  @Put(':name')
  @RequirePermission('workflow:edit')
  @nameParam
  @ApiOperation({
    summary: 'Create or edit a workflow',
    description: 'Creates version 1, or the next version when the normalised spec differs from the latest; an identical spec changes nothing (200).',
  })
  @ApiZodBody(saveWorkflowRequest)
  @ApiResponse({ status: 201, type: SavedWorkflowDto, description: 'A version was created' })
  @ApiResponse({ status: 200, type: SavedWorkflowDto, description: 'Unchanged: equal to the latest version' })
  @ApiProblem(400, 'FF_WORKFLOW_INVALID naming each field, FF_NAME_MISMATCH, FF_WORKFLOW_NAME_RESERVED')
  save(@Param('name') name: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'PUT', path: `/workflows/${enc(name)}`, body }, req, res);
  }

  @Delete(':name')
  @RequirePermission('workflow:delete')
  @nameParam
  @ApiOperation({
    summary: 'Delete a workflow',
    description:
      'Soft delete of every version: lists and gets no longer show it, finished runs keep theirs, and the name can be created again (its versions continue the numbering). Refused while a run of it is queued or running.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  @ApiProblem(409, 'FF_WORKFLOW_IN_USE: runs of it are queued or running (named in the detail)')
  delete(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'DELETE', path: `/workflows/${enc(name)}` }, req, res);
  }
}
