import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { ChainingModule } from './chaining';
import { triggersMigrations } from './migrations';

const triggersDatabase = ServiceDatabaseModule.forService({ service: 'triggers', entities: [], migrations: triggersMigrations });

/** The triggers service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [triggersDatabase, ChainingModule.register(triggersDatabase)],
})
export class TriggersModule {}
