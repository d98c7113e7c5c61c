import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, ApiZodQuery, cancelRunRequest, createRunRequest, listRunsQuery, rerunRequest, runLogsQuery, uuidParam } from '@flowforge/http';
import { ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { OrchestrationClient } from './orchestration.client';
import { RUN_EVENT_MODELS, RUN_EVENTS_EXTENSION } from './run-events.views';
import { LogPageDto, RunDto, RunListDto } from './run.dto';
import { principalName } from '@flowforge/access';
import { RequirePermission } from '../auth/route-access';
import { actorOf, type AuthenticatedRequest } from '../auth/principal';

const idParam = ApiParam({ name: 'id', format: 'uuid' });

/**
 * Who starts, cancels or re-runs: the signed-in caller (libs/access principalName: `alice`, or
 * `token:<name>` for an API token). Set here, over any client-sent value.
 */
const by = (req: AuthenticatedRequest): string => principalName(actorOf(req));

/**
 * The body as the client sent it, with who asks (and the Idempotency-Key header's value when the body
 * names none); the orchestrator validates it. A body that is no object is forwarded as it is, to be refused there.
 */
function withCaller(body: unknown, req: AuthenticatedRequest, defaults: Record<string, unknown> = {}): unknown {
  if (body === undefined) return { ...defaults, requestedBy: by(req) };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return { ...defaults, ...body, requestedBy: by(req) };
}

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
    description:
      "Parameters are resolved against the workflow's declarations; each step's job version is pinned. The workflow's concurrency may queue the run, or cancel it (overlap skip).",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and same request (workflow, version, parameters), same run; the key reused for another request is 422',
  })
  @ApiZodBody(createRunRequest)
  @ApiResponse({ status: 201, type: RunDto, description: 'Created' })
  @ApiResponse({ status: 200, type: RunDto, description: 'The run this idempotency key created before' })
  @ApiProblem(404, 'FF_WORKFLOW_NOT_FOUND')
  @ApiProblem(409, 'FF_JOB_TYPE_UNKNOWN')
  @ApiProblem(422, 'FF_RUN_IDEMPOTENCY_CONFLICT: the key already identifies a run made by another workflow, version or parameters')
  create(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'POST', path: '/runs', body: withCaller(body, req, { idempotencyKey: key || undefined }) }, req, res);
  }

  @Get()
  @RequirePermission('workflow:view')
  @ApiOperation({ summary: 'List runs', description: 'Newest first, without steps; page with `before`.' })
  @ApiZodQuery(listRunsQuery)
  @ApiResponse({ status: 200, type: RunListDto })
  list(@Query(new ZodCheckPipe(listRunsQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: '/runs', query }, req, res);
  }

  @Get(':id')
  @RequirePermission('workflow:view')
  @idParam
  @ApiOperation({ summary: 'Get a run with its steps and attempts' })
  @ApiResponse({ status: 200, type: RunDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  get(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'GET', path: `/runs/${id}` }, req, res);
  }

  @Post(':id/cancel')
  @RequirePermission('workflow:execute')
  @idParam
  @ApiOperation({
    summary: 'Cancel a run',
    description: 'Running attempts are asked to stop; every open step and the run become cancelled. Cancelling a cancelled run is a no-op.',
  })
  @ApiZodBody(cancelRunRequest, { required: false })
  @ApiResponse({ status: 200, type: RunDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  @ApiProblem(409, 'FF_RUN_ALREADY_FINISHED')
  cancel(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'POST', path: `/runs/${id}/cancel`, body: withCaller(body, req) }, req, res);
  }

  @Post(':id/rerun')
  @RequirePermission('workflow:execute')
  @idParam
  @ApiOperation({
    summary: 'Rerun the failed part of a finished run',
    description:
      'Creates a NEW run (parentRunId = this run) with the same pinned workflow, job versions and parameters: steps that succeeded are reused with their outputs; the failed, timed-out, cancelled and upstream-failed steps (or `fromStep`) and everything downstream run again. The old run keeps its outcome.',
  })
  @ApiZodBody(rerunRequest, { required: false })
  @ApiResponse({ status: 201, type: RunDto, description: 'The new run' })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  @ApiProblem(409, 'FF_RUN_NOT_FINISHED, FF_RUN_NOTHING_TO_RERUN')
  rerun(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.orchestrator.forward({ method: 'POST', path: `/runs/${id}/rerun`, body: withCaller(body, req) }, req, res);
  }

  @Get(':id/logs')
  @RequirePermission('workflow:view')
  @idParam
  @ApiOperation({ summary: "Page a run's log lines", description: 'Oldest first by timestamp; filter by step and attempt; page with `after`.' })
  @ApiZodQuery(runLogsQuery)
  @ApiResponse({ status: 200, type: LogPageDto })
  @ApiProblem(404, 'FF_RUN_NOT_FOUND')
  logs(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(runLogsQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
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
    @Param('id', uuidParam()) id: string,
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
