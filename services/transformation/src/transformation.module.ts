import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { transformationMigrations } from './migrations';

/** The transformation service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'transformation', entities: [], migrations: transformationMigrations })],
})
export class TransformationModule {}
