import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { EVENT_SOURCES, type EventSource } from './event-source';
import { secretBoxProvider } from './secret-box.provider';
import { TriggerFirer } from './trigger.firer';
import { TriggerRuntime } from './trigger.runtime';
import { TriggerStore } from './trigger.store';
import { TriggersController } from './triggers.controller';
import { TriggersService } from './triggers.service';
import { WebhookController, WEBHOOK_CLOCK } from '../webhook/webhook.controller';

export interface TriggerCoreOptions {
  /** The service's ServiceDatabaseModule (the object the root module imports: one DataSource, one pool). */
  database: DynamicModule;
  /** Modules exporting the sources named in `sources`. */
  imports: DynamicModule[];
  /** Every EventSource, by its injection token (its class): they make EVENT_SOURCES, in this order. */
  sources: InjectionToken<EventSource>[];
}

/**
 * The trigger core: the store, the firer, the runtime, the API and the webhook door. EVENT_SOURCES is
 * the list of every source registered in `sources` (services/triggers/README.md, Adding a trigger type).
 */
@Module({})
export class TriggerCoreModule {
  static register(opts: TriggerCoreOptions): DynamicModule {
    return {
      module: TriggerCoreModule,
      imports: [opts.database, ...opts.imports],
      controllers: [TriggersController, WebhookController],
      providers: [
        { provide: EVENT_SOURCES, useFactory: (...sources: EventSource[]) => sources, inject: opts.sources },
        { provide: WEBHOOK_CLOCK, useValue: () => Date.now() },
        secretBoxProvider,
        TriggerStore,
        TriggerFirer,
        TriggerRuntime,
        TriggersService,
      ],
      exports: [EVENT_SOURCES, TriggerFirer, TriggerRuntime, TriggerStore, TriggersService],
    };
  }
}
