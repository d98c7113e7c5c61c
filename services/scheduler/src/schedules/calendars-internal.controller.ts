import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Put, Res } from '@nestjs/common';
import { actorFromHeaders, principalName } from '@flowforge/access';
import { withTransaction } from '@flowforge/db';
import { calendarNameParam, putCalendarRequest, type PutCalendarRequest } from '@flowforge/http';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { SCHEDULER_POOL } from '../scheduler.database';
import { CalendarStore } from './calendar.store';
import { CalendarInUseError, CalendarNotFoundError } from './schedule.errors';
import { SchedulerClock } from './scheduler.clock';
import { calendarView, type CalendarView } from './schedule.views';

const nameParam = new ZodPipe(calendarNameParam, 'name');

/**
 * Internal calendars API (the gateway forwards /api/v1/calendars here; permissions and audit there): named
 * lists of excluded dates shared by schedules. A change rewrites the dates of the schedules naming the
 * calendar in the same transaction, so the next fire decision sees it.
 */
@Controller('internal/scheduler/calendars')
export class CalendarsInternalController {
  constructor(
    @Inject(SCHEDULER_POOL) private readonly pool: Pool,
    private readonly calendars: CalendarStore,
    private readonly clock: SchedulerClock,
  ) {}

  @Get()
  async list(): Promise<CalendarView[]> {
    return (await this.calendars.list(this.pool)).map(calendarView);
  }

  @Get(':name')
  async get(@Param('name', nameParam) name: string): Promise<CalendarView> {
    const c = await this.calendars.get(this.pool, name);
    if (!c) throw new CalendarNotFoundError(name);
    return calendarView(c);
  }

  /** 201 created, 200 replaced. */
  @Put(':name')
  async put(
    @Param('name', nameParam) name: string,
    @Body(new ZodPipe(putCalendarRequest)) body: PutCalendarRequest,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<CalendarView> {
    const by = principalName(actorFromHeaders(headers));
    const { created, row } = await withTransaction(this.pool, (tx) => this.calendars.put(tx, name, body.description ?? null, body.dates, by, this.clock.now()));
    res.statusCode = created ? 201 : 200;
    return calendarView(row);
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name', nameParam) name: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      if (!(await this.calendars.get(tx, name, true))) throw new CalendarNotFoundError(name);
      const users = await this.calendars.usedBy(tx, name);
      if (users.length > 0) throw new CalendarInUseError(name, users);
      await this.calendars.delete(tx, name);
    });
  }
}
