import { CreateLineageSchema1764201600000 } from './1764201600000-create-lineage-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const lineageMigrations = [CreateLineageSchema1764201600000];
