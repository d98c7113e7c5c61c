import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { catalogMigrations } from './migrations';

/**
 * ff_catalog's DataSource; feature modules import this same object (Nest shares one instance). No
 * entities: the stores speak SQL (reviewable, and one transaction can carry the bus publish).
 */
export const catalogDatabase = ServiceDatabaseModule.forService({ service: 'catalog', entities: [], migrations: catalogMigrations, poolSize: 3 });
