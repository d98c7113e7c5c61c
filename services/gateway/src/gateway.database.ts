import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { gatewayMigrations } from './migrations';

export const gatewayDatabase = ServiceDatabaseModule.forService({ service: 'gateway', entities: [], migrations: gatewayMigrations });
