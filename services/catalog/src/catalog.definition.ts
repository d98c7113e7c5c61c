import { defineService } from '@flowforge/service-kit';
import { CatalogModule } from './catalog.module';

export const catalogService = defineService({ service: 'catalog', module: CatalogModule });
