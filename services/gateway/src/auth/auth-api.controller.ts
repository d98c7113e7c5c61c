import { Body, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, changePasswordRequest, loginRequest, mfaCode, refreshRequest, resetPassword, resetRequest, uuidParam } from '@flowforge/http';
import { serviceConfigToken, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { AccessState } from './access-state';
import { ApiJson, ApiNoContent, listOf, schemas, str, strings } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { TokenVerifier } from './token-verifier';

/** Set by the auth service on an answer that ended a session (services/auth/src/sessions/login.service.ts). */
const REVOKED_SESSION_HEADER = 'x-flowforge-revoked-session';
import { AllowedBeforePasswordChange, Authenticated, Interactive, Public, RequirePermission, SelfAudited } from './route-access';

/**
 * Sign-in and the caller's own account: built-in accounts (embedded default) — Keycloak users sign in
 * at Keycloak and only use `me` and `permissions` here. The auth service audits each of these itself.
 */
@ApiTags('auth')
@SelfAudited()
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/auth')
export class AuthApiController {
  constructor(
    private readonly auth: AuthClient,
    private readonly state: AccessState,
    private readonly verifier: TokenVerifier,
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
  ) {}

  @Get('config')
  @Public()
  @ApiOperation({
    summary: 'How to sign in',
    description: 'Which issuers this gateway trusts: the console picks Keycloak (OIDC) or the built-in login form from this.',
  })
  @ApiJson(200, {
    type: 'object',
    properties: { builtin: { type: 'boolean' }, oidc: { type: 'object', nullable: true, properties: { issuer: str, clientId: str } } },
  })
  authConfig(): { builtin: boolean; oidc: { issuer: string; clientId: string } | null } {
    const issuer = this.config.FLOWFORGE_OIDC_ISSUER;
    return { builtin: this.config.FLOWFORGE_AUTH_BUILTIN === 'true', oidc: issuer ? { issuer, clientId: 'flowforge-console' } : null };
  }

  @Post('login')
  @Public()
  @ApiOperation({
    summary: 'Sign in (built-in accounts)',
    description:
      'Password, then `otp` or `recoveryCode` when the account uses two-factor authentication. Failed logins lock the login name for a while after the threshold (429 with Retry-After), the same for unknown names.',
  })
  @ApiZodBody(loginRequest)
  @ApiJson(200, schemas.tokenPair)
  @ApiProblem(401, 'FF_AUTH_INVALID_CREDENTIALS (same answer for an unknown user) or FF_AUTH_MFA_REQUIRED')
  @ApiProblem(429, 'FF_AUTH_LOCKED: too many failed logins; see Retry-After')
  login(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/login', body }, req, res);
  }

  @Post('refresh')
  @Public()
  @ApiOperation({
    summary: 'Refresh the access token',
    description: 'Single use: the answer carries a new refresh token. A refresh token used twice ends the session (it was copied).',
  })
  @ApiZodBody(refreshRequest)
  @ApiJson(200, schemas.tokenPair)
  @ApiProblem(401, 'FF_AUTH_REFRESH_INVALID, FF_AUTH_REFRESH_REUSED or FF_AUTH_SESSION_ENDED')
  refresh(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    // A reused refresh token ended its session (auth names it in a header not relayed): its access tokens die before the client hears.
    return this.auth.forward({ method: 'POST', path: '/refresh', body }, req, res, (_status, headers) => {
      const ended = headers.get(REVOKED_SESSION_HEADER);
      if (ended) this.state.markRevoked(ended);
    });
  }

  @Post('logout')
  @Authenticated()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: 'Sign out', description: 'Ends the current session: its access and refresh tokens stop working at once.' })
  @ApiNoContent('Signed out')
  @ApiProblem(409, 'FF_AUTH_NO_SESSION: an API token has no session (revoke it instead)')
  async logout(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    const sid = req.principal?.actor.sessionId;
    await this.auth.forward({ method: 'POST', path: '/logout' }, req, res, (status) => {
      if (status === 204 && sid) this.state.markRevoked(sid);
    });
  }

  @Get('me')
  @Interactive()
  @AllowedBeforePasswordChange()
  @ApiOperation({ summary: 'The signed-in user', description: 'With the permissions their roles grant.' })
  @ApiJson(200, { ...schemas.user, properties: { ...schemas.user.properties, permissions: strings }, required: [...schemas.user.required, 'permissions'] })
  me(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/me' }, req, res);
  }

  @Get('whoami')
  @Authenticated()
  @AllowedBeforePasswordChange()
  @ApiOperation({
    summary: 'Who the gateway takes the caller for',
    description: 'For any credential — built-in or Keycloak access token, API token: the identity, the FlowForge roles and the permissions in effect.',
  })
  @ApiJson(200, {
    type: 'object',
    properties: {
      id: str,
      username: str,
      type: { type: 'string', enum: ['user', 'token'] },
      via: { type: 'string', enum: ['builtin', 'keycloak', 'api-token'] },
      roles: strings,
      permissions: strings,
    },
    required: ['id', 'username', 'type', 'via', 'roles', 'permissions'],
  })
  whoami(@Req() req: AuthenticatedRequest): { id: string; username: string; type: string; via: string; roles: readonly string[]; permissions: string[] } {
    const p = req.principal!;
    const permissions = [...(p.scopes ?? this.state.permissionsOf(p.roles))].sort();
    return { id: p.actor.id, username: p.actor.name, type: p.actor.type, via: p.via, roles: p.roles, permissions };
  }

  @Get('permissions')
  @Authenticated()
  @ApiOperation({ summary: 'The permission matrix', description: 'Every resource with its actions, and every role with the permissions it grants.' })
  @ApiJson(200, {
    type: 'object',
    properties: { resources: { type: 'object', additionalProperties: strings }, permissions: strings, roles: listOf(schemas.role) },
  })
  permissions(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/access-model' }, req, res);
  }

  @Get('sessions')
  @Interactive()
  @ApiOperation({ summary: 'My sessions', description: "The signed-in user's open sessions (devices), `current` marking this one." })
  @ApiJson(200, listOf(schemas.session))
  sessions(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/me/sessions' }, req, res);
  }

  @Delete('sessions/:id')
  @Interactive()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'End one of my sessions' })
  @ApiNoContent('Ended')
  @ApiProblem(404, 'FF_SESSION_NOT_FOUND')
  async revokeSession(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/me/sessions/${id}` }, req, res, (status) => {
      if (status === 204) this.state.markRevoked(id);
    });
  }

  @Post('password')
  @Interactive()
  @AllowedBeforePasswordChange()
  @ApiOperation({
    summary: 'Change my password',
    description:
      'Checks the current one and the password policy (length, character classes, common passwords, the last 5); ends my other sessions. A token issued while a change was required stays limited: refresh it (or sign in again) afterwards.',
  })
  @ApiZodBody(changePasswordRequest)
  @ApiNoContent('Changed')
  @ApiProblem(401, 'FF_AUTH_INVALID_CREDENTIALS: the current password is wrong')
  changePassword(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    // The other sessions ended: refused here before the answer.
    return this.auth.forward({ method: 'POST', path: '/me/password', body }, req, res, (status) => (status === 204 ? this.state.refreshNow() : undefined));
  }

  @Post('password/reset-request')
  @Public()
  @ApiOperation({ summary: 'Ask for a password-reset mail', description: 'Always 202, whether or not the address has an account.' })
  @ApiZodBody(resetRequest)
  @ApiJson(202, { type: 'object', properties: { accepted: { type: 'boolean' } } }, 'Accepted')
  requestReset(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/password-reset/request', body }, req, res);
  }

  @Post('password/reset')
  @Public()
  @ApiOperation({ summary: 'Reset the password with the mailed token', description: 'Single use; ends every session of the account.' })
  @ApiZodBody(resetPassword)
  @ApiNoContent('Reset')
  resetPassword(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/password-reset', body }, req, res, (status) => (status === 204 ? this.state.refreshNow() : undefined));
  }

  @Post('keys/rotate')
  @RequirePermission('settings:configure-system')
  @ApiOperation({
    summary: "Rotate the built-in issuer's signing key",
    description:
      'A new ES256 key signs from now on; the previous ones stay in the JWKS until every token they signed has expired, so nobody is signed out. This gateway reloads the key set at once, others at the first token with the new key.',
  })
  @ApiJson(200, { type: 'object', properties: { kid: str } })
  async rotateKeys(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'POST', path: '/keys/rotate' }, req, res);
    if (res.statusCode === 200) await this.verifier.reloadBuiltinKeys().catch(() => undefined);
  }

  @Post('mfa/totp')
  @Interactive()
  @ApiOperation({
    summary: 'Start two-factor enrolment',
    description: 'A new TOTP secret and its otpauth:// URI (for a QR code); confirm with a code to switch it on.',
  })
  @ApiJson(200, { type: 'object', properties: { secret: str, otpauthUri: str } })
  @ApiProblem(409, 'FF_MFA_ALREADY_ENABLED')
  beginTotp(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/me/mfa/totp' }, req, res);
  }

  @Post('mfa/totp/confirm')
  @Interactive()
  @ApiOperation({ summary: 'Confirm two-factor enrolment', description: 'Switches TOTP on and returns ten single-use recovery codes, shown only now.' })
  @ApiZodBody(mfaCode)
  @ApiJson(200, { type: 'object', properties: { recoveryCodes: strings } })
  @ApiProblem(409, 'FF_MFA_ALREADY_ENABLED / FF_MFA_NOT_ENROLLING')
  confirmTotp(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/me/mfa/totp/confirm', body }, req, res);
  }

  @Post('mfa/totp/disable')
  @Interactive()
  @ApiOperation({ summary: 'Switch two-factor authentication off', description: 'Needs a current code.' })
  @ApiZodBody(mfaCode)
  @ApiNoContent('Switched off')
  @ApiProblem(409, 'FF_MFA_NOT_ENABLED')
  disableTotp(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/me/mfa/totp/disable', body }, req, res);
  }
}
