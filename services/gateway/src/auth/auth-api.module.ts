import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessEventsListener } from './access-events.listener';
import { AccessState } from './access-state';
import { AuthApiController } from './auth-api.controller';
import { AuthClient } from './auth.client';
import { AuthGuard } from './auth.guard';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRecorder } from './audit.recorder';
import { RolesController } from './roles.controller';
import { TokenVerifier } from './token-verifier';
import { TokensController } from './tokens.controller';
import { UsersController } from './users.controller';

/**
 * Authentication, RBAC and audit at the gateway (the guard and interceptor are global: every public
 * route passes them), and the public identity API forwarded to the auth service.
 */
@Module({
  controllers: [AuthApiController, UsersController, RolesController, TokensController, AuditController],
  providers: [
    AuthClient,
    AccessState,
    AccessEventsListener,
    TokenVerifier,
    AuditRecorder,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AccessState, TokenVerifier, AuthClient],
})
export class AuthApiModule {}
