import { CreateSchedulerSchema1764201600000 } from './1764201600000-create-scheduler-schema';
import { SchedulesAndFires1767225600000 } from './1767225600000-schedules-and-fires';
import { Calendars1767312000000 } from './1767312000000-calendars';
import { AssetWriters1767398400000 } from './1767398400000-asset-writers';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const schedulerMigrations = [CreateSchedulerSchema1764201600000, SchedulesAndFires1767225600000, Calendars1767312000000, AssetWriters1767398400000];
