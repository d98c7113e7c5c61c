import { bootstrapService } from '@flowforge/service-kit';
import { authService } from './auth.definition';

bootstrapService(authService);
