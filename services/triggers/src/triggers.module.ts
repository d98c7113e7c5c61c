import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { triggersMigrations } from './migrations';

/** The triggers service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'triggers', entities: [], migrations: triggersMigrations })],
})
export class TriggersModule {}
