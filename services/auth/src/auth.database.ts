import { ServiceDatabaseModule, servicePoolToken } from '@flowforge/service-kit';
import { authMigrations } from './migrations';

/**
 * ff_auth's DataSource and the one pool under it. No entities: the services write SQL on a Queryable, so
 * a write and its bus publish share one transaction, and the audit handler writes through ctx.tx.
 */
export const authDatabase = ServiceDatabaseModule.forService({ service: 'auth', entities: [], migrations: authMigrations, poolSize: 6 });

/** The pg Pool under ff_auth's DataSource (the service's only pool). */
export const AUTH_POOL = servicePoolToken('auth');
