import { defineService } from '@flowforge/service-kit';
import { webhookRawBody } from './webhook/webhook-body';
import { WEBHOOK_MAX_BYTES } from './webhook/webhook.source';
import { chainingConfigVariables } from './chaining';
import { triggersConfigVariables } from './triggers.config';
import { TriggersModule } from './triggers.module';

export const triggersService = defineService({
  service: 'triggers',
  module: TriggersModule,
  config: { ...triggersConfigVariables, ...chainingConfigVariables },
  // Webhook deliveries are read raw, bounded (their signature covers the exact bytes), before the JSON parser.
  configureApp: (app) => app.use(webhookRawBody('/internal/triggers/hooks/', WEBHOOK_MAX_BYTES)),
});
