import { CreateQualitySchema1764201600000 } from './1764201600000-create-quality-schema';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const qualityMigrations = [CreateQualitySchema1764201600000];
