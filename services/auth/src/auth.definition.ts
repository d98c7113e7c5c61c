import { defineService } from '@flowforge/service-kit';
import { authConfigVariables } from './auth.config';
import { AuthModule } from './auth.module';

export const authService = defineService({ service: 'auth', module: AuthModule, config: authConfigVariables });
