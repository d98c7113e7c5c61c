import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiProblem,
  ApiZodBody,
  ApiZodQuery,
  backfillScheduleRequest,
  listSchedulesQuery,
  nextFiresQuery,
  pauseScheduleRequest,
  putScheduleRequest,
  scheduleHistoryQuery,
  scheduleNameParam,
} from '@flowforge/http';
import { ZodCheckPipe, ZodPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { SchedulerClient } from './scheduler.client';
import { BackfillResultDto, NextFiresDto, ScheduleDto, ScheduleHistoryDto, ScheduleListDto } from './schedule.dto';

const nameParam = ApiParam({ name: 'name', example: 'nightly-sales' });
const name = new ZodPipe(scheduleNameParam, 'name');

/**
 * Public schedules API; the scheduler owns schedules and validates the bodies (forwarded as they came).
 * Queries and the name are checked here with the scheduler's schemas. Changes are audited by the gateway.
 */
@ApiTags('schedules')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_SCHEDULER_UNREACHABLE: the scheduler did not answer')
@Controller('api/v1/schedules')
export class SchedulesController {
  constructor(private readonly scheduler: SchedulerClient) {}

  @Get()
  @RequirePermission('schedule:view')
  @ApiOperation({ summary: 'List schedules', description: 'By name; filter by workflow.' })
  @ApiZodQuery(listSchedulesQuery)
  @ApiResponse({ status: 200, type: ScheduleListDto })
  list(@Query(new ZodCheckPipe(listSchedulesQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: '/schedules', query }, req, res);
  }

  @Get(':name')
  @RequirePermission('schedule:view')
  @nameParam
  @ApiOperation({
    summary: 'Get a schedule',
    description: 'With `warnings` when another schedule of the same workflow, or of another workflow writing a same lake asset, fires within 5 minutes of it.',
  })
  @ApiResponse({ status: 200, type: ScheduleDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  get(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: `/schedules/${n}` }, req, res);
  }

  @Put(':name')
  @RequirePermission('schedule:edit')
  @nameParam
  @ApiOperation({
    summary: 'Create or replace a schedule',
    description:
      'A cron (5 or 6 fields, macros, L/W/#) or a preset, in an IANA time zone. DST: a fixed time that does not exist fires once at the first valid instant after the gap; a fixed time that occurs twice fires once, at its first occurrence; interval patterns keep their pace in real time. History is kept across replacements; the next fire time is counted from now. Replacing needs schedule:edit; creating one that does not exist also schedule:create (403 otherwise).',
  })
  @ApiZodBody(putScheduleRequest)
  @ApiResponse({ status: 201, type: ScheduleDto, description: 'Created' })
  @ApiResponse({ status: 200, type: ScheduleDto, description: 'Replaced' })
  @ApiProblem(422, 'FF_SCHEDULE_NO_FUTURE: the cron has no future fire time')
  put(@Param('name', name) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'PUT', path: `/schedules/${n}`, body }, req, res);
  }

  @Delete(':name')
  @RequirePermission('schedule:delete')
  @nameParam
  @ApiOperation({ summary: 'Delete a schedule and its history', description: 'Runs already requested go on.' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  delete(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'DELETE', path: `/schedules/${n}` }, req, res);
  }

  @Get(':name/next')
  @RequirePermission('schedule:view')
  @nameParam
  @ApiOperation({
    summary: 'Predict the next fire times',
    description: 'From now, at most 100; with the wall-clock time and whether the calendar excludes it.',
  })
  @ApiZodQuery(nextFiresQuery)
  @ApiResponse({ status: 200, type: NextFiresDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  next(
    @Param('name', name) n: string,
    @Query(new ZodCheckPipe(nextFiresQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: `/schedules/${n}/next`, query }, req, res);
  }

  @Get(':name/history')
  @RequirePermission('schedule:view')
  @nameParam
  @ApiOperation({
    summary: 'Fire history',
    description: 'Each fire time: fired (with its run), skipped (paused, calendar, overlap, catchup, misfire cap) or buffered; newest first.',
  })
  @ApiZodQuery(scheduleHistoryQuery)
  @ApiResponse({ status: 200, type: ScheduleHistoryDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  history(
    @Param('name', name) n: string,
    @Query(new ZodCheckPipe(scheduleHistoryQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: `/schedules/${n}/history`, query }, req, res);
  }

  @Post(':name/pause')
  @RequirePermission('schedule:execute')
  @nameParam
  @ApiOperation({ summary: 'Pause a schedule', description: 'Fire times while paused are recorded as skipped (paused); buffered fires are dropped.' })
  @ApiZodBody(pauseScheduleRequest)
  @ApiResponse({ status: 200, type: ScheduleDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  pause(@Param('name', name) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'POST', path: `/schedules/${n}/pause`, body }, req, res);
  }

  @Post(':name/resume')
  @RequirePermission('schedule:execute')
  @nameParam
  @ApiOperation({ summary: 'Resume a schedule', description: 'Clears the pause note and the count of failed runs.' })
  @ApiResponse({ status: 200, type: ScheduleDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  resume(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'POST', path: `/schedules/${n}/resume` }, req, res);
  }

  @Post(':name/backfill')
  @RequirePermission('schedule:execute')
  @nameParam
  @ApiOperation({
    summary: 'Backfill a date range',
    description:
      'Every fire time in [from, to] (read in the schedule’s zone) becomes a run, at most 1000 (else 422 naming `to`). Excluded dates are skipped; pause and overlap do not apply. A time backfilled before is not run again (`existing`).',
  })
  @ApiZodBody(backfillScheduleRequest)
  @ApiResponse({ status: 201, type: BackfillResultDto })
  @ApiProblem(404, 'FF_SCHEDULE_NOT_FOUND')
  @ApiProblem(422, 'FF_SCHEDULE_BACKFILL_INVALID: `to` before `from`, or more than 1000 fire times')
  backfill(@Param('name', name) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'POST', path: `/schedules/${n}/backfill`, body }, req, res);
  }
}
