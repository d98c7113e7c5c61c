import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { permissionsOf, type Actor, type Permission } from '@flowforge/access';
import { ZodPipe } from '@flowforge/service-kit';
import type { z } from 'zod';
import { MfaService } from '../accounts/mfa.service';
import { PasswordResetService } from '../accounts/password-reset.service';
import { UsersService, type UserView } from '../accounts/users.service';
import { AuditEmitter } from '../audit/audit.emitter';
import { SigningKeys } from '../keys/signing-keys';
import { RolesService, type AccessModel } from '../roles/roles.service';
import { LoginService, type SessionView, type TokenPair } from '../sessions/login.service';
import { CallingActor, userIdOf } from './actor.decorator';
import { changePasswordRequest, loginRequest, mfaCode, refreshRequest, resetPassword, resetRequest, uuidParam } from '@flowforge/http';

/**
 * Sign-in, sessions, the caller's own account, and what gateways need (JWKS, the role matrix, recent
 * revocations). Internal: the gateway's public routes forward here.
 */
@Controller('internal/auth')
export class SessionInternalController {
  constructor(
    private readonly keys: SigningKeys,
    private readonly roles: RolesService,
    private readonly login: LoginService,
    private readonly users: UsersService,
    private readonly mfa: MfaService,
    private readonly resets: PasswordResetService,
    private readonly audit: AuditEmitter,
  ) {}

  @Get('jwks')
  jwks(): ReturnType<SigningKeys['jwks']> {
    return this.keys.jwks();
  }

  @Post('keys/rotate')
  @HttpCode(200)
  async rotateKeys(@CallingActor() actor: Actor): Promise<{ kid: string }> {
    const kid = await this.keys.rotate();
    await this.audit.record({
      actor,
      action: 'settings:configure-system',
      resourceType: 'signing-key',
      resourceId: kid,
      outcome: 'success',
      changes: { rotatedTo: kid },
    });
    return { kid };
  }

  @Get('access-model')
  accessModel(): Promise<AccessModel> {
    return this.roles.accessModel();
  }

  @Get('revoked-sessions')
  revokedSessions(): ReturnType<LoginService['recentlyRevoked']> {
    return this.login.recentlyRevoked();
  }

  @Post('login')
  @HttpCode(200)
  signIn(@Body(new ZodPipe(loginRequest)) body: z.infer<typeof loginRequest>, @CallingActor() actor: Actor): Promise<TokenPair> {
    return this.login.login(body, actor);
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body(new ZodPipe(refreshRequest)) body: z.infer<typeof refreshRequest>, @CallingActor() actor: Actor): Promise<TokenPair> {
    return this.login.refresh(body.refreshToken, actor);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CallingActor() actor: Actor): Promise<void> {
    await this.login.logout(actor);
  }

  @Get('me')
  async me(@CallingActor() actor: Actor): Promise<UserView & { permissions: Permission[] }> {
    const user = await this.users.get(userIdOf(actor));
    const matrix = new Map((await this.roles.list()).map((r) => [r.name, new Set(r.permissions)]));
    return { ...user, permissions: [...permissionsOf(user.roles, matrix)].sort() };
  }

  @Get('me/sessions')
  sessions(@CallingActor() actor: Actor): Promise<SessionView[]> {
    return this.login.sessionsOf(userIdOf(actor), actor.sessionId);
  }

  @Delete('me/sessions/:id')
  @HttpCode(204)
  async revokeSession(@Param('id', uuidParam()) id: string, @CallingActor() actor: Actor): Promise<void> {
    await this.login.revokeSession(userIdOf(actor), id, actor);
  }

  @Post('me/password')
  @HttpCode(204)
  async changePassword(@Body(new ZodPipe(changePasswordRequest)) body: z.infer<typeof changePasswordRequest>, @CallingActor() actor: Actor): Promise<void> {
    await this.users.changeOwnPassword(userIdOf(actor), body.currentPassword, body.newPassword, actor);
  }

  @Post('me/mfa/totp')
  @HttpCode(200)
  beginTotp(@CallingActor() actor: Actor): ReturnType<MfaService['begin']> {
    return this.mfa.begin(userIdOf(actor));
  }

  @Post('me/mfa/totp/confirm')
  @HttpCode(200)
  confirmTotp(@Body(new ZodPipe(mfaCode)) body: z.infer<typeof mfaCode>, @CallingActor() actor: Actor): ReturnType<MfaService['confirm']> {
    return this.mfa.confirm(userIdOf(actor), body.code, actor);
  }

  @Post('me/mfa/totp/disable')
  @HttpCode(204)
  async disableTotp(@Body(new ZodPipe(mfaCode)) body: z.infer<typeof mfaCode>, @CallingActor() actor: Actor): Promise<void> {
    await this.mfa.disable(userIdOf(actor), body.code, actor);
  }

  @Post('password-reset/request')
  @HttpCode(202)
  async requestReset(@Body(new ZodPipe(resetRequest)) body: z.infer<typeof resetRequest>, @CallingActor() actor: Actor): Promise<{ accepted: true }> {
    await this.resets.request(body.email, actor);
    return { accepted: true };
  }

  @Post('password-reset')
  @HttpCode(204)
  async reset(@Body(new ZodPipe(resetPassword)) body: z.infer<typeof resetPassword>, @CallingActor() actor: Actor): Promise<void> {
    await this.resets.reset(body.token, body.newPassword, actor);
  }
}
