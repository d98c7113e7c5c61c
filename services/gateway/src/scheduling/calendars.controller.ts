import { Body, Controller, Delete, Get, Param, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, calendarNameParam, putCalendarRequest } from '@flowforge/http';
import { ZodPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { SchedulerClient } from './scheduler.client';
import { CalendarDto } from './schedule.dto';

const nameParam = ApiParam({ name: 'name', example: 'de-holidays' });
const name = new ZodPipe(calendarNameParam, 'name');

/**
 * Named calendars of excluded dates (holidays) that schedules share (`calendars` of a schedule): owned by
 * the scheduler, which validates the bodies; a change reaches every schedule naming the calendar at once.
 */
@ApiTags('schedules')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_SCHEDULER_UNREACHABLE: the scheduler did not answer')
@Controller('api/v1/calendars')
export class CalendarsController {
  constructor(private readonly scheduler: SchedulerClient) {}

  @Get()
  @RequirePermission('schedule:view')
  @ApiOperation({ summary: 'List calendars', description: 'By name.' })
  @ApiResponse({ status: 200, type: [CalendarDto] })
  list(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: '/calendars' }, req, res);
  }

  @Get(':name')
  @RequirePermission('schedule:view')
  @nameParam
  @ApiOperation({ summary: 'Get a calendar' })
  @ApiResponse({ status: 200, type: CalendarDto })
  @ApiProblem(404, 'FF_CALENDAR_NOT_FOUND')
  get(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'GET', path: `/calendars/${n}` }, req, res);
  }

  @Put(':name')
  @RequirePermission('schedule:edit')
  @nameParam
  @ApiOperation({
    summary: 'Create or replace a calendar',
    description: 'Dates YYYY-MM-DD (at most 1000); every schedule naming the calendar skips its fire times on them (in its own time zone) from now on.',
  })
  @ApiZodBody(putCalendarRequest)
  @ApiResponse({ status: 201, type: CalendarDto, description: 'Created' })
  @ApiResponse({ status: 200, type: CalendarDto, description: 'Replaced' })
  put(@Param('name', name) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'PUT', path: `/calendars/${n}`, body }, req, res);
  }

  @Delete(':name')
  @RequirePermission('schedule:delete')
  @nameParam
  @ApiOperation({ summary: 'Delete a calendar', description: 'Refused while a schedule names it.' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_CALENDAR_NOT_FOUND')
  @ApiProblem(409, 'FF_CALENDAR_IN_USE: schedules name it (the detail lists them)')
  delete(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.scheduler.forward({ method: 'DELETE', path: `/calendars/${n}` }, req, res);
  }
}
