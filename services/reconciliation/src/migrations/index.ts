import { CreateReconciliationSchema1764201600000 } from './1764201600000-create-reconciliation-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const reconciliationMigrations = [CreateReconciliationSchema1764201600000];
