import type { Provider } from '@nestjs/common';
import { COMMON_CONFIG, serviceConfigToken, type CommonConfig } from '@flowforge/service-kit';
import type { TriggersConfig } from '../triggers.config';
import { SecretBox } from './secret-box';

export const SECRET_BOX = Symbol('TRIGGERS_SECRET_BOX');

export const secretBoxProvider: Provider = {
  provide: SECRET_BOX,
  inject: [serviceConfigToken('triggers'), COMMON_CONFIG],
  useFactory: (config: TriggersConfig, common: CommonConfig) => SecretBox.load(config.FLOWFORGE_TRIGGERS_SECRET_KEY, common.FLOWFORGE_HOME),
};
