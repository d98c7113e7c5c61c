import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@flowforge/service-kit';
import { ApiProblem } from '../openapi/problem.dto';
import { OrchestrationClient } from './orchestration.client';
import { RUN_EVENT_MODELS, RUN_EVENTS_EXTENSION } from './run-events.views';
import { CancelRunDto, CreateRunDto, ListRunsQueryDto, LogPageDto, LogsQueryDto, RerunDto, RunDto, RunListDto } from './run.dto';
import { principalName } from '@flowforge/access';
import { RequirePermission } from '../auth/route-access';
import { actorOf, type AuthenticatedRequest } from '../auth/principal';

const idParam = ApiParam({ name: 'id', format: 'uuid' });

/**
 * Who starts, cancels or re-runs: the signed-in caller (libs/access principalName: `alice`, or
 * `token:<name>` for an API token). Set here, after the DTO dropped any client-sent field.
 */
const by = (req: AuthenticatedRequest): string => principalName(actorOf(req));

/** Public runs API: start, watch, cancel and rerun workflow runs; each records who asked. */
@ApiTags('runs')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_ORCHESTRATOR_UNREACHABLE: the orchestrator did not answer')
@Controller('api/v1/runs')
export class RunsController {
  constructor(private readonly orchestrator: OrchestrationClient) {}

  @Post()
  @RequirePermission('workflow:execute')
  @ApiOperation({
    summary: 'Start a run',
    description: 'Parameters are resolved against the workflow\'s declarations; each step\'s job version is pinned. The workflow\'s concurrency may queue the run, or cancel it (overlap skip).',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and same request (workflow, version, parameters), same run; the key reused for another request is 422',
  })
  @ApiBody({ type: CreateRunDto })
  @ApiResponse({ status: 201, type: RunDto, description: 'Created' })
  @ApiResponse({ status: 200, type: RunDto, description: 'The run this idempotency key created before' })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  @ApiProblem(409, 'FF_JOB_TYPE_UNKNOWN')
  @ApiProblem(422, 'FF_RUN_IDEMPOTENCY_CONFLICT: the key already identifies a run made by another workflow, version or parameters')
  create(
    @Body() body: CreateRunDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.orchestrator.forward(
      { method: 'POST', path: '/runs', body: { ...body, idempotencyKey: body.idempotencyKey ?? (key || undefined), requestedBy: by(req) } },
      req,
      res,
    );
  }

  @Get()
  @RequirePermission('workflow:view')
  @ApiOperation({ summary: 'List runs', description: 'Newest first, without steps; page with `before`.' })
  @ApiResponse({ status: 200, type: RunListDto })
  list(@Query() query: ListRunsQueryDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: '/runs', query }, req, res);
  }

  @Get(':id')
  @RequirePermission('workflow:view')
  @idParam
  @ApiOperation({ summary: 'Get a run with its steps and attempts' })
  @ApiResponse({ status: 200, type: RunDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  get(@Param('id', new ParseUUIDPipe()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/runs/${id}` }, req, res);
  }

  @Post(':id/cancel')
  @RequirePermission('workflow:execute')
  @idParam
  @ApiOperation({ summary: 'Cancel a run', description: 'Running attempts are asked to stop; every open step and the run become cancelled. Cancelling a cancelled run is a no-op.' })
  @ApiBody({ type: CancelRunDto, required: false })
  @ApiResponse({ status: 200, type: RunDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  @ApiProblem(409, 'FF_RUN_ALREADY_FINISHED')
  cancel(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CancelRunDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'POST', path: `/runs/${id}/cancel`, body: { ...body, requestedBy: by(req) } }, req, res);
  }

  @Post(':id/rerun')
  @RequirePermission('workflow:execute')
  @idParam
  @ApiOperation({
    summary: 'Rerun the failed part of a finished run',
    description:
      'Creates a NEW run (parentRunId = this run) with the same pinned workflow, job versions and parameters: steps that succeeded are reused with their outputs; the failed, timed-out, cancelled and upstream-failed steps (or `fromStep`) and everything downstream run again. The old run keeps its outcome.',
  })
  @ApiBody({ type: RerunDto, required: false })
  @ApiResponse({ status: 201, type: RunDto, description: 'The new run' })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  @ApiProblem(409, 'FF_RUN_NOT_FINISHED, FF_RUN_NOTHING_TO_RERUN')
  rerun(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: RerunDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'POST', path: `/runs/${id}/rerun`, body: { ...body, requestedBy: by(req) } }, req, res);
  }

  @Get(':id/logs')
  @RequirePermission('workflow:view')
  @idParam
  @ApiOperation({ summary: 'Page a run\'s log lines', description: 'Oldest first by timestamp; filter by step and attempt; page with `after`.' })
  @ApiResponse({ status: 200, type: LogPageDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  logs(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: LogsQueryDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/runs/${id}/logs`, query }, req, res);
  }

  @Get(':id/events')
  @RequirePermission('workflow:view')
  @idParam
  @ApiOperation({
    summary: 'Watch a run live (Server-Sent Events)',
    description:
      'Events: `snapshot` (the run with its steps), then `run` and `step` state changes and `log` lines as they happen, and `end` when the run is final. Each event id is a cursor: reconnect with Last-Event-ID (or ?after=) to resume.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream', schema: { type: 'string' } })
  @ApiExtraModels(...RUN_EVENT_MODELS)
  @ApiExtension('x-sse-events', RUN_EVENTS_EXTENSION)
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  events(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: string | undefined,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.orchestrator.forward(
      { method: 'GET', path: `/runs/${id}/events`, query: { after }, headers: { accept: 'text/event-stream', 'last-event-id': lastEventId } },
      req,
      res,
    );
  }
}
