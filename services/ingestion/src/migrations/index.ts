import { CreateIngestionSchema1764201600000 } from './1764201600000-create-ingestion-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const ingestionMigrations = [CreateIngestionSchema1764201600000];
