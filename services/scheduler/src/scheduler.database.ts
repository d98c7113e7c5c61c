import { ServiceDatabaseModule, servicePoolToken } from '@flowforge/service-kit';
import { schedulerMigrations } from './migrations';

/** ff_scheduler's DataSource and its one pool: the API, the fire loop and the run-state listener share it. */
export const schedulerDatabase = ServiceDatabaseModule.forService({ service: 'scheduler', entities: [], migrations: schedulerMigrations, poolSize: 4 });

export const SCHEDULER_POOL = servicePoolToken('scheduler');
