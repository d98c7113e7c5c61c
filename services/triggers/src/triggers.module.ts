import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { BuiltInSourcesModule, BUILT_IN_SOURCES } from './core/built-in-sources.module';
import { TriggerCoreModule } from './core/trigger-core.module';
import { ChainingModule, WorkflowEventSource } from './chaining';
import { CdcSource } from './cdc/cdc.source';
import { CdcSourceModule } from './cdc/cdc-source.module';
import { triggersMigrations } from './migrations';

// 4: the runtime's sync, a firing's transaction, the chaining sweeper (which holds one while the firing takes another) and the API.
const triggersDatabase = ServiceDatabaseModule.forService({ service: 'triggers', entities: [], migrations: triggersMigrations, poolSize: 4 });

/**
 * The triggers service as a Nest module: hosted alone (main.ts) or with every other service (embedded).
 * A trigger type is registered by importing the module that provides its EventSource and naming the
 * source's class in `sources` (services/triggers/README.md, Adding a trigger type).
 */
@Module({
  imports: [
    triggersDatabase,
    TriggerCoreModule.register({
      database: triggersDatabase,
      imports: [BuiltInSourcesModule.register(triggersDatabase), ChainingModule.register(triggersDatabase), CdcSourceModule.register(triggersDatabase)],
      sources: [...BUILT_IN_SOURCES, WorkflowEventSource, CdcSource],
    }),
  ],
})
export class TriggersModule {}
