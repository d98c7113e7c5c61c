import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { EchoReceipt } from './echo/echo-receipt.entity';
import { orchestratorMigrations } from './migrations';

/** ff_orchestrator's DataSource; feature modules import this same object (Nest shares one instance). */
export const orchestratorDatabase = ServiceDatabaseModule.forService({
  service: 'orchestrator',
  entities: [EchoReceipt],
  migrations: orchestratorMigrations,
});
