import { CreateIngestionSchema1764201600000 } from './1764201600000-create-ingestion-schema';
import { IngestedFiles1766448000000 } from './1766448000000-ingested-files';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const ingestionMigrations = [CreateIngestionSchema1764201600000, IngestedFiles1766448000000];
