import { ServiceDatabaseModule, servicePoolToken } from '@flowforge/service-kit';
import { orchestratorMigrations } from './migrations';

/**
 * ff_orchestrator's DataSource and the one pool under it; feature modules import this same object (Nest
 * shares one instance). No entities: the stores speak SQL on a Queryable, because the bus handlers
 * write through the bus's transaction (ctx.tx, a pg client) and the HTTP commands and the sweeper open
 * theirs on this pool — one code path for both. 8 connections: the run engine's hot path.
 */
export const orchestratorDatabase = ServiceDatabaseModule.forService({
  service: 'orchestrator',
  entities: [],
  migrations: orchestratorMigrations,
  poolSize: 8,
});

/** The pg Pool under ff_orchestrator's DataSource (the service's only pool). */
export const ORCHESTRATOR_POOL = servicePoolToken('orchestrator');
