import { defineService } from '@flowforge/service-kit';
import { AuthModule } from './auth.module';

export const authService = defineService({ service: 'auth', module: AuthModule });
