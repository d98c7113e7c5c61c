import { FlowForgeError } from '@flowforge/service-kit';

export class ScheduleNotFoundError extends FlowForgeError {
  constructor(name: string) {
    super('FF_SCHEDULE_NOT_FOUND', 404, 'Schedule not found', `no schedule named "${name}"; list them with GET /api/v1/schedules`);
  }
}

export class ScheduleNoFutureError extends FlowForgeError {
  constructor(cron: string, zone: string) {
    super('FF_SCHEDULE_NO_FUTURE', 422, 'Schedule never fires', `the cron "${cron}" in ${zone} has no future fire time; give a pattern that repeats`, [
      { field: 'cron', message: 'has no future fire time' },
    ]);
  }
}

export class BackfillInvalidError extends FlowForgeError {
  constructor(field: string, detail: string) {
    super('FF_SCHEDULE_BACKFILL_INVALID', 422, 'Backfill range is invalid', detail, [{ field, message: detail }]);
  }
}

/** A PUT of a schedule that does not exist, by a caller who may edit schedules but not create them. */
export class ScheduleCreateForbiddenError extends FlowForgeError {
  constructor(name: string) {
    super('FF_FORBIDDEN', 403, 'Forbidden', `schedule "${name}" does not exist and creating one needs schedule:create, which the caller does not hold`);
  }
}

export class CalendarNotFoundError extends FlowForgeError {
  constructor(name: string) {
    super('FF_CALENDAR_NOT_FOUND', 404, 'Calendar not found', `no calendar named "${name}"; list them with GET /api/v1/calendars`);
  }
}

/** A calendar that schedules still name is not deleted. */
export class CalendarInUseError extends FlowForgeError {
  constructor(name: string, schedules: string[]) {
    super(
      'FF_CALENDAR_IN_USE',
      409,
      'Calendar in use',
      `calendar "${name}" is named by ${schedules.length} schedule(s): ${schedules.slice(0, 10).join(', ')}${schedules.length > 10 ? ', …' : ''}; take it out of them first`,
    );
  }
}
