import { Module } from '@nestjs/common';
import { AuthApiModule } from '../auth/auth-api.module';
import { HooksController } from './hooks.controller';
import { TriggersClient } from './triggers.client';
import { TriggersController } from './triggers.controller';

/** /api/v1/triggers, /api/v1/trigger-types and the webhook door /api/v1/hooks, forwarded to the triggers service. */
@Module({
  imports: [AuthApiModule],
  controllers: [TriggersController, HooksController],
  providers: [TriggersClient],
  exports: [TriggersClient],
})
export class TriggersApiModule {}
