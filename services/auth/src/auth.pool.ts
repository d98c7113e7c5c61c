import { ServicePoolModule } from '@flowforge/service-kit';

/** The auth service's pg pool (schema ff_auth): raw SQL, so a write and its bus publish share one transaction. */
export const AUTH_POOL = Symbol.for('flowforge.auth.pool');

export const authPool = ServicePoolModule.forService(AUTH_POOL, { applicationName: 'flowforge-auth', max: 6 });
