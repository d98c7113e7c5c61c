import { ServicePoolModule } from '@flowforge/service-kit';

/** The orchestrator's own pg pool (schema ff_orchestrator). */
export const ORCHESTRATOR_POOL = Symbol.for('flowforge.orchestrator.pool');

/**
 * The run engine writes with raw SQL on a `Queryable`, because its bus handlers must write through the
 * bus's transaction (ctx.tx, a pg client TypeORM cannot join). HTTP commands and the sweeper open their
 * own transactions on this pool, so both paths share one code path. TypeORM keeps the migrations.
 */
export const orchestratorPool = ServicePoolModule.forService(ORCHESTRATOR_POOL, { applicationName: 'flowforge-orchestrator-engine', max: 8 });
