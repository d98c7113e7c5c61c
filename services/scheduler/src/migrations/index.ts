import { CreateSchedulerSchema1764201600000 } from './1764201600000-create-scheduler-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const schedulerMigrations = [CreateSchedulerSchema1764201600000];
