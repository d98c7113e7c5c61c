import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { actorFromHeaders, principalName } from '@flowforge/access';
import {
  backfillScheduleRequest,
  listSchedulesQuery,
  nextFiresQuery,
  pauseScheduleInternalRequest,
  putScheduleRequest,
  scheduleHistoryQuery,
  scheduleNameParam,
  type BackfillScheduleRequest,
  type PauseScheduleRequest,
  type PutScheduleRequest,
} from '@flowforge/http';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import type { z } from 'zod';
import { SchedulesService } from './schedules.service';

type Headers_ = Record<string, string | string[] | undefined>;
const nameParam = new ZodPipe(scheduleNameParam, 'name');
/** Who made the change: the actor the gateway forwarded in its headers (libs/access/src/rbac/actor.ts). */
const actor = (headers: Headers_): string => principalName(actorFromHeaders(headers));

/** Internal schedules API; the gateway forwards /api/v1/schedules here (permissions and audit there). */
@Controller('internal/scheduler/schedules')
export class SchedulesInternalController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  list(@Query(new ZodPipe(listSchedulesQuery)) query: z.output<typeof listSchedulesQuery>) {
    return this.schedules.list(query.workflow);
  }

  @Get(':name')
  get(@Param('name', nameParam) name: string) {
    return this.schedules.get(name);
  }

  /** 201 created, 200 replaced. */
  @Put(':name')
  async put(
    @Param('name', nameParam) name: string,
    @Body(new ZodPipe(putScheduleRequest)) body: PutScheduleRequest,
    @Headers() headers: Headers_,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const caller = actorFromHeaders(headers);
    // The gateway checked schedule:edit; a schedule that does not exist yet also needs schedule:create.
    // Permissions unknown (no actor header: an internal caller, not the gateway) are not checked here.
    const mayCreate = caller.permissions == null || caller.permissions.includes('schedule:create');
    const { created, view } = await this.schedules.put(name, body, principalName(caller), mayCreate);
    res.statusCode = created ? 201 : 200;
    return view;
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name', nameParam) name: string): Promise<void> {
    await this.schedules.delete(name);
  }

  @Get(':name/next')
  next(@Param('name', nameParam) name: string, @Query(new ZodPipe(nextFiresQuery)) query: z.output<typeof nextFiresQuery>) {
    return this.schedules.next(name, query.count);
  }

  @Get(':name/history')
  history(@Param('name', nameParam) name: string, @Query(new ZodPipe(scheduleHistoryQuery)) query: z.output<typeof scheduleHistoryQuery>) {
    return this.schedules.history(name, query.limit, query.outcome);
  }

  @Post(':name/pause')
  @HttpCode(200)
  pause(@Param('name', nameParam) name: string, @Body(new ZodPipe(pauseScheduleInternalRequest)) body: PauseScheduleRequest, @Headers() headers: Headers_) {
    return this.schedules.pause(name, body?.note, actor(headers));
  }

  @Post(':name/resume')
  @HttpCode(200)
  resume(@Param('name', nameParam) name: string, @Headers() headers: Headers_) {
    return this.schedules.resume(name, actor(headers));
  }

  @Post(':name/backfill')
  @HttpCode(201)
  backfill(@Param('name', nameParam) name: string, @Body(new ZodPipe(backfillScheduleRequest)) body: BackfillScheduleRequest) {
    return this.schedules.backfill(name, body);
  }
}
