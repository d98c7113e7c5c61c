import { type DynamicModule, Module } from '@nestjs/common';
import { COMMON_CONFIG, LOGGER, serviceConfigToken, type CommonConfig, type FlowForgeLogger } from '@flowforge/service-kit';
import { CatalogConnectionClient } from '../file/catalog-connection.client';
import type { TriggersConfig } from '../triggers.config';
import { CatalogCdcResolver } from './catalog-cdc.resolver';
import { CdcSource } from './cdc.source';

/**
 * The `cdc` trigger type for the trigger core's EVENT_SOURCES: Kafka Connect at FLOWFORGE_KAFKA_CONNECT_URL
 * (unset: a cdc trigger fails to start with FF_CDC_CONNECT_MISSING naming it), change topics read from
 * FLOWFORGE_KAFKA_BROKERS, connections from the catalog (README.md next to this file).
 */
@Module({})
export class CdcSourceModule {
  static register(database: DynamicModule): DynamicModule {
    return {
      module: CdcSourceModule,
      imports: [database],
      providers: [
        CatalogConnectionClient,
        CatalogCdcResolver,
        {
          provide: CdcSource,
          inject: [serviceConfigToken('triggers'), COMMON_CONFIG, CatalogCdcResolver, LOGGER],
          useFactory: (config: TriggersConfig, common: CommonConfig, resolver: CatalogCdcResolver, logger: FlowForgeLogger): CdcSource =>
            new CdcSource({
              logger: {
                log: (m) => logger.info({ module: 'triggers.cdc' }, m),
                warn: (m) => logger.warn({ module: 'triggers.cdc' }, m),
                error: (m) => logger.error({ module: 'triggers.cdc' }, m),
                debug: (m) => logger.debug({ module: 'triggers.cdc' }, m),
              },
              connectUrl: config.FLOWFORGE_KAFKA_CONNECT_URL,
              kafkaBrokers: common.FLOWFORGE_KAFKA_BROKERS.split(','),
              ...(config.FLOWFORGE_KAFKA_CONNECT_KAFKA_BROKERS ? { connectKafkaBrokers: config.FLOWFORGE_KAFKA_CONNECT_KAFKA_BROKERS.split(',') } : {}),
              resolver,
            }),
        },
      ],
      exports: [CdcSource],
    };
  }
}
