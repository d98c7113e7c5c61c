import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  cancelRunInternalRequest,
  createRunInternalRequest,
  listRunsQuery,
  rerunInternalRequest,
  uuidParam,
  type CancelRunInternalRequest,
  type CreateRunInternalRequest,
  type ListRunsQuery,
  type RerunInternalRequest,
} from '@flowforge/http';
import { actorFromHeaders, principalName } from '@flowforge/access';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import { RunCommands } from './run.commands';
import { RunQueries } from './run.queries';
import type { RunView } from './run.views';

type Headers_ = Record<string, string | string[] | undefined>;

/**
 * Who asks: the body's requestedBy (the gateway sets it from the signed-in caller; a peer service names
 * itself, e.g. `scheduler`), else the actor the gateway forwarded in its headers (libs/access/src/rbac/actor.ts).
 */
const principal = (given: string | undefined, headers: Headers_): string => given ?? principalName(actorFromHeaders(headers));

/** Internal run API (called by the gateway); logs and the live event stream are in feed/. */
@Controller('internal/orchestrator/runs')
export class RunsController {
  constructor(
    private readonly commands: RunCommands,
    private readonly queries: RunQueries,
  ) {}

  /** 201 with the new run; 200 with the existing run when the idempotency key was used before. */
  @Post()
  async create(
    @Body(new ZodPipe(createRunInternalRequest)) body: CreateRunInternalRequest,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Headers() headers: Headers_,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<RunView> {
    const { run, created } = await this.commands.create({
      workflow: body.workflow,
      workflowVersion: body.workflowVersion ?? null,
      params: body.params ?? {},
      idempotencyKey: body.idempotencyKey ?? (headerKey || null),
      requestedBy: principal(body.requestedBy, headers),
    });
    res.statusCode = created ? 201 : 200;
    return this.queries.get(run.id);
  }

  @Get()
  list(@Query(new ZodPipe(listRunsQuery)) q: ListRunsQuery): Promise<{ items: RunView[]; nextCursor: string | null }> {
    return this.queries.list({ workflow: q.workflow, state: q.state, before: q.before, limit: q.limit });
  }

  @Get(':id')
  get(@Param('id', uuidParam()) id: string): Promise<RunView> {
    return this.queries.get(id);
  }

  /** Stops the run: attempts out are asked to stop (StepCancelRequested), every open step is cancelled. */
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id', uuidParam()) id: string,
    @Body(new ZodPipe(cancelRunInternalRequest)) body: CancelRunInternalRequest,
    @Headers() headers: Headers_,
  ): Promise<RunView> {
    await this.commands.cancel(id, { cancelledBy: principal(body?.requestedBy, headers), reason: body?.reason });
    return this.queries.get(id);
  }

  /** A new run re-executing the failed part (see RunCommands.rerun); 201 with that run. */
  @Post(':id/rerun')
  @HttpCode(201)
  async rerun(
    @Param('id', uuidParam()) id: string,
    @Body(new ZodPipe(rerunInternalRequest)) body: RerunInternalRequest,
    @Headers() headers: Headers_,
  ): Promise<RunView> {
    const { run } = await this.commands.rerun(id, { fromStep: body?.fromStep, requestedBy: principal(body?.requestedBy, headers) });
    return this.queries.get(run.id);
  }
}
