import { CreateTransformationSchema1764201600000 } from './1764201600000-create-transformation-schema';
import { TemplatesExportsScd21767916800000 } from './1767916800000-templates-exports-scd2';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const transformationMigrations = [CreateTransformationSchema1764201600000, TemplatesExportsScd21767916800000];
