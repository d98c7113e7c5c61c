import { defineService } from '@flowforge/service-kit';
import { catalogConfigVariables } from './catalog.config';
import { CatalogModule } from './catalog.module';

export const catalogService = defineService({ service: 'catalog', module: CatalogModule, config: catalogConfigVariables });
