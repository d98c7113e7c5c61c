import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogConnectionClient } from '../file/catalog-connection.client';
import { FileSource } from '../file/file.source';
import { KafkaSource } from '../kafka/kafka.source';
import { RabbitmqSource } from '../rabbitmq/rabbitmq.source';
import { WebhookSource } from '../webhook/webhook.source';

/** The trigger types this service brings: webhook, kafka, rabbitmq, file. */
export const BUILT_IN_SOURCES = [WebhookSource, KafkaSource, RabbitmqSource, FileSource];

@Module({})
export class BuiltInSourcesModule {
  static register(database: DynamicModule): DynamicModule {
    return {
      module: BuiltInSourcesModule,
      imports: [database],
      providers: [CatalogConnectionClient, ...BUILT_IN_SOURCES],
      exports: BUILT_IN_SOURCES,
    };
  }
}
