import { Body, Controller, Delete, Get, Param, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, INT32_MAX, IntParamPipe, saveJobRequest } from '@flowforge/http';
import type { HttpRequest, HttpResponse } from '@flowforge/service-kit';
import { JobDto, JobListDto, JobTypeDto, JobTypeListDto, SavedJobDto } from './job.dto';
import { OrchestrationClient } from './orchestration.client';
import { RequirePermission } from '../auth/route-access';

const nameParam = ApiParam({ name: 'name', example: 'extract-orders' });
const enc = encodeURIComponent;

/** Public jobs API: typed, versioned job configurations (owned by the orchestrator, which validates the bodies). */
@ApiTags('jobs')
@ApiProblem(502, 'FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer')
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly orchestrator: OrchestrationClient) {}

  @Get()
  @RequirePermission('job:view')
  @ApiOperation({ summary: 'List jobs', description: 'The latest version of every job, by name.' })
  @ApiResponse({ status: 200, type: JobListDto })
  list(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: '/jobs' }, req, res);
  }

  @Get(':name')
  @RequirePermission('job:view')
  @nameParam
  @ApiOperation({ summary: 'Get the latest version of a job' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiProblem(404, 'FF_JOB_NOT_FOUND')
  get(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/jobs/${enc(name)}` }, req, res);
  }

  @Get(':name/versions')
  @RequirePermission('job:view')
  @nameParam
  @ApiOperation({ summary: 'List the versions of a job', description: 'Newest first.' })
  @ApiResponse({ status: 200, type: JobListDto })
  @ApiProblem(404, 'FF_JOB_NOT_FOUND')
  versions(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/jobs/${enc(name)}/versions` }, req, res);
  }

  @Get(':name/versions/:version')
  @RequirePermission('job:view')
  @nameParam
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1, maximum: INT32_MAX }, example: 1 })
  @ApiProblem(400, 'FF_VALIDATION: the version is not an integer from 1 to 2147483647')
  @ApiOperation({ summary: 'Get one version of a job' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiProblem(404, 'FF_JOB_NOT_FOUND')
  version(
    @Param('name') name: string,
    @Param('version', new IntParamPipe('version')) version: number,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/jobs/${enc(name)}/versions/${version}` }, req, res);
  }

  @Put(':name')
  @RequirePermission('job:edit')
  @nameParam
  @ApiOperation({
    summary: 'Create or edit a job',
    description:
      'Creates version 1, or the next version when type, description or config differ from the latest; an identical body changes nothing (200). The config is validated against the JSON Schema its type announced.',
  })
  @ApiZodBody(saveJobRequest)
  @ApiResponse({ status: 201, type: SavedJobDto, description: 'A version was created' })
  @ApiResponse({ status: 200, type: SavedJobDto, description: 'Unchanged: equal to the latest version' })
  @ApiProblem(400, 'FF_JOB_INVALID (unknown type, config field), FF_NAME_MISMATCH, FF_VALIDATION')
  save(@Param('name') name: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'PUT', path: `/jobs/${enc(name)}`, body }, req, res);
  }

  @Delete(':name')
  @RequirePermission('job:delete')
  @nameParam
  @ApiOperation({
    summary: 'Delete a job',
    description:
      'Soft delete of every version: lists and gets no longer show it, finished runs keep theirs, and the name can be created again (its versions continue the numbering). Refused while the current version of a workflow uses it or a queued/running run has a step of it.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_JOB_NOT_FOUND')
  @ApiProblem(409, 'FF_JOB_IN_USE: used by current workflows or active runs (named in the detail)')
  delete(@Param('name') name: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'DELETE', path: `/jobs/${enc(name)}` }, req, res);
  }
}

/** Job types announced by executors: what a job's `type` may be and the schema of its config. */
@ApiTags('jobs')
@ApiProblem(502, 'FF_ORCHESTRATOR_UNREACHABLE')
@Controller('api/v1/job-types')
export class JobTypesController {
  constructor(private readonly orchestrator: OrchestrationClient) {}

  @Get()
  @RequirePermission('job:view')
  @ApiOperation({ summary: 'List job types', description: 'As the executors announced them (type, executor, version, config JSON Schema).' })
  @ApiResponse({ status: 200, type: JobTypeListDto })
  list(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: '/job-types' }, req, res);
  }

  @Get(':type')
  @RequirePermission('job:view')
  @ApiParam({ name: 'type', example: 'sleep' })
  @ApiOperation({ summary: 'Get a job type' })
  @ApiResponse({ status: 200, type: JobTypeDto })
  @ApiProblem(404, 'FF_JOB_TYPE_NOT_FOUND')
  get(@Param('type') type: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/job-types/${enc(type)}` }, req, res);
  }
}
