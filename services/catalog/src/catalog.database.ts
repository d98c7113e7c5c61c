import { Module } from '@nestjs/common';
import { ServiceDatabaseModule, servicePoolToken } from '@flowforge/service-kit';
import { AssetStore } from './assets/asset.store';
import { ConnectionStore } from './connections/connection.store';
import { catalogMigrations } from './migrations';

/**
 * ff_catalog's DataSource and the one pool under it. No entities: the stores speak SQL (reviewable, and
 * one transaction can carry the bus publish).
 */
export const catalogDatabase = ServiceDatabaseModule.forService({ service: 'catalog', entities: [], migrations: catalogMigrations, poolSize: 3 });

/** The pg Pool under ff_catalog's DataSource (the service's only pool). */
export const CATALOG_POOL = servicePoolToken('catalog');

/** The catalog's stores and its database, for every feature module (the secret rotation rewrites connection rows too). */
@Module({
  imports: [catalogDatabase],
  providers: [AssetStore, ConnectionStore],
  exports: [catalogDatabase, AssetStore, ConnectionStore],
})
export class CatalogDataModule {}
