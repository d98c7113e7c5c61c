import { Module } from '@nestjs/common';
import { BootstrapAdmin } from './accounts/bootstrap-admin';
import { MfaService } from './accounts/mfa.service';
import { PasswordResetService } from './accounts/password-reset.service';
import { UsersService } from './accounts/users.service';
import { AuditEmitter } from './audit/audit.emitter';
import { AuditLog } from './audit/audit.log';
import { AuditRecordedHandler } from './audit/audit-recorded.handler';
import { authDatabase } from './auth.database';
import { AdminInternalController } from './http/admin-internal.controller';
import { AuditInternalController } from './http/audit-internal.controller';
import { SessionInternalController } from './http/session-internal.controller';
import { TokensInternalController } from './http/tokens-internal.controller';
import { SigningKeys } from './keys/signing-keys';
import { mailerProvider } from './mail/mailer';
import { RolesService } from './roles/roles.service';
import { LoginService } from './sessions/login.service';
import { SessionRevoker } from './sessions/session-revoker';
import { ApiTokensService } from './tokens/api-tokens.service';

/**
 * The auth service as a Nest module: hosted alone (main.ts) or with every other service (embedded).
 * It is the built-in issuer (local accounts, sessions, MFA), owns roles, API tokens and the audit log.
 */
@Module({
  imports: [authDatabase],
  controllers: [SessionInternalController, AdminInternalController, TokensInternalController, AuditInternalController, AuditRecordedHandler],
  providers: [
    SigningKeys,
    RolesService,
    UsersService,
    SessionRevoker,
    LoginService,
    MfaService,
    PasswordResetService,
    ApiTokensService,
    AuditEmitter,
    AuditLog,
    BootstrapAdmin,
    mailerProvider(),
  ],
})
export class AuthModule {}
