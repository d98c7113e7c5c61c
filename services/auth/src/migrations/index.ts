import { CreateAuthSchema1764201600000 } from './1764201600000-create-auth-schema';
import { IdentityAndAudit1766102400000 } from './1766102400000-identity-and-audit';
import { SessionRevocations1796522400000 } from './1796522400000-session-revocations';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const authMigrations = [CreateAuthSchema1764201600000, IdentityAndAudit1766102400000, SessionRevocations1796522400000];
