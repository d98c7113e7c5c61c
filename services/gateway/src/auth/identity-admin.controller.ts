import { applyDecorators, Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from '@flowforge/service-kit';
import { uuidParam } from '../catalog/uuid-param';
import { ApiProblem } from '../openapi/problem.dto';
import { AccessState } from './access-state';
import { ApiJson, ApiJsonBody, ApiNoContent, listOf, schemas, str, strings } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { Authenticated, Interactive, RequirePermission, SelfAudited } from './route-access';
import { TokenVerifier } from './token-verifier';

const idParam = ApiParam({ name: 'id', format: 'uuid' });
const userBody = { username: str, email: str, displayName: str, password: str, roles: strings, mustChangePassword: { type: 'boolean' } };

/** Built-in accounts, administered (settings:manage-users). */
@ApiTags('users')
@SelfAudited()
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly auth: AuthClient,
    private readonly state: AccessState,
    private readonly verifier: TokenVerifier,
  ) {}

  /**
   * A user edited, disabled, deleted or given a new password: before the admin hears 2xx, this gateway
   * has the sessions that ended in its revocation list and no cached credential of the user (their API
   * tokens are verified again, and refused if the owner is disabled or gone). Other replicas hear it on the bus.
   */
  private async userChanged(id: string, status: number): Promise<void> {
    if (status >= 300) return;
    this.verifier.forgetUser(id);
    await this.state.refreshNow();
  }

  @Get()
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'List users' })
  @ApiJson(200, listOf(schemas.user))
  list(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/users' }, req, res);
  }

  @Post()
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Create a user', description: 'The password must meet the policy; `roles` must exist.' })
  @ApiJsonBody(userBody, ['username', 'password'])
  @ApiJson(201, schemas.user, 'Created')
  @ApiProblem(409, 'FF_USER_EXISTS')
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/users', body }, req, res);
  }

  @Get(':id')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Get a user' })
  @ApiJson(200, schemas.user)
  @ApiProblem(404, 'FF_USER_NOT_FOUND')
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: `/users/${id}` }, req, res);
  }

  @Patch(':id')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Edit a user', description: 'E-mail, display name, roles, disabled. Disabling ends the user\'s sessions.' })
  @ApiJsonBody({ email: str, displayName: str, roles: strings, disabled: { type: 'boolean' } }, [])
  @ApiJson(200, schemas.user)
  @ApiProblem(404, 'FF_USER_NOT_FOUND')
  @ApiProblem(409, 'FF_USER_SELF_LOCKOUT / FF_USER_EXISTS')
  async update(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'PATCH', path: `/users/${id}`, body }, req, res, (status) => this.userChanged(id, status));
  }

  @Delete(':id')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Delete a user', description: 'Ends their sessions and revokes their API tokens.' })
  @ApiNoContent('Deleted')
  @ApiProblem(404, 'FF_USER_NOT_FOUND')
  @ApiProblem(409, 'FF_USER_SELF_LOCKOUT')
  async delete(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/users/${id}` }, req, res, (status) => this.userChanged(id, status));
  }

  @Post(':id/password')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({
    summary: 'Set a user\'s password',
    description: 'For a forgotten password when no mail server is configured: temporary by default (the user must change it at the next sign-in). The policy applies; every session of the user ends.',
  })
  @ApiJsonBody({ password: str, temporary: { type: 'boolean', default: true } }, ['password'])
  @ApiJson(200, schemas.user)
  @ApiProblem(404, 'FF_USER_NOT_FOUND')
  @ApiProblem(409, 'FF_USER_SELF_PASSWORD: change your own with POST /api/v1/auth/password')
  async setPassword(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'POST', path: `/users/${id}/password`, body }, req, res, (status) => this.userChanged(id, status));
  }

  @Post(':id/unlock')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Unlock a user locked out by failed logins' })
  @ApiJson(200, schemas.user)
  unlock(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: `/users/${id}/unlock` }, req, res);
  }

  @Get(':id/sessions')
  @idParam
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'A user\'s open sessions' })
  @ApiJson(200, listOf(schemas.session))
  sessions(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: `/users/${id}/sessions` }, req, res);
  }

  @Delete(':id/sessions/:sessionId')
  @idParam
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'End a user\'s session' })
  @ApiNoContent('Ended')
  @ApiProblem(404, 'FF_SESSION_NOT_FOUND')
  async revokeSession(
    @Param('id', uuidParam()) id: string,
    @Param('sessionId', uuidParam('sessionId')) sessionId: string,
    @Req() req: AuthenticatedRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/users/${id}/sessions/${sessionId}` }, req, res, (status) => {
      if (status === 204) this.state.markRevoked(sessionId);
    });
  }
}

/** Custom roles (the four built-in roles are fixed); read through GET /api/v1/auth/permissions too. */
@ApiTags('users')
@SelfAudited()
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/roles')
export class RolesController {
  constructor(
    private readonly auth: AuthClient,
    private readonly state: AccessState,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'List roles', description: 'Built-in and custom roles with their permissions.' })
  @ApiJson(200, listOf(schemas.role))
  list(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/roles' }, req, res);
  }

  @Put(':name')
  @ApiParam({ name: 'name', example: 'data-steward' })
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Create or replace a custom role', description: 'Any set of permissions (resource:action). Gateways apply the change at once.' })
  @ApiJsonBody({ description: str, permissions: strings }, ['permissions'])
  @ApiJson(201, schemas.role, 'Created')
  @ApiJson(200, schemas.role, 'Replaced')
  @ApiProblem(409, 'FF_ROLE_BUILTIN: built-in roles cannot be changed')
  async put(@Param('name') name: string, @Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'PUT', path: `/roles/${encodeURIComponent(name)}`, body }, req, res, (status) => (status < 300 ? this.state.refreshNow() : undefined));
  }

  @Delete(':name')
  @ApiParam({ name: 'name', example: 'data-steward' })
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Delete a custom role', description: 'Users holding it lose it.' })
  @ApiNoContent('Deleted')
  @ApiProblem(404, 'FF_ROLE_NOT_FOUND')
  @ApiProblem(409, 'FF_ROLE_BUILTIN')
  async delete(@Param('name') name: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/roles/${encodeURIComponent(name)}` }, req, res, (status) => (status < 300 ? this.state.refreshNow() : undefined));
  }
}

/** The caller's API tokens, for machines (webhook producers, CI). */
@ApiTags('users')
@SelfAudited()
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(
    private readonly auth: AuthClient,
    private readonly verifier: TokenVerifier,
  ) {}

  @Get()
  @Interactive()
  @ApiOperation({ summary: 'My API tokens', description: 'Never the token itself: it is shown once, at creation.' })
  @ApiJson(200, listOf(schemas.apiToken))
  list(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/tokens' }, req, res);
  }

  @Post()
  @Interactive()
  @ApiOperation({
    summary: 'Create an API token',
    description: 'Scoped to permissions you hold; `token` is in this answer only (it is stored hashed). Use it as `Authorization: Bearer ffp_…`.',
  })
  @ApiJsonBody({ name: str, permissions: strings, expiresInDays: { type: 'integer', nullable: true } }, ['name', 'permissions'])
  @ApiJson(201, { ...schemas.apiToken, properties: { ...schemas.apiToken.properties, token: str } }, 'Created')
  create(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'POST', path: '/tokens', body }, req, res);
  }

  @Delete(':id')
  @idParam
  @Interactive()
  @ApiOperation({ summary: 'Revoke one of my API tokens' })
  @ApiNoContent('Revoked')
  @ApiProblem(404, 'FF_TOKEN_NOT_FOUND')
  async revoke(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/tokens/${id}` }, req, res, (status) => {
      if (status === 204) this.verifier.forgetToken(id);
    });
  }
}

const auditFilters = [
  ApiQuery({ name: 'actor', required: false, description: 'user id, token id, or username' }),
  ApiQuery({ name: 'action', required: false, description: 'e.g. workflow:edit, or a prefix ending in * (auth:*)' }),
  ApiQuery({ name: 'resourceType', required: false }),
  ApiQuery({ name: 'resourceId', required: false }),
  ApiQuery({ name: 'outcome', required: false, enum: ['success', 'denied', 'error'] }),
  ApiQuery({ name: 'since', required: false, description: 'ISO 8601 date-time, inclusive' }),
  ApiQuery({ name: 'until', required: false, description: 'ISO 8601 date-time, exclusive' }),
  ApiQuery({ name: 'afterSeq', required: false, type: Number, description: 'page after this sequence number' }),
  ApiQuery({ name: 'limit', required: false, type: Number, description: '1-1000, default 100' }),
];

/** The hash-chained audit log. */
@ApiTags('audit')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly auth: AuthClient) {}

  @Get('entries')
  @RequirePermission('audit:view')
  @applyDecorators(...auditFilters)
  @ApiOperation({ summary: 'Search the audit log', description: 'Oldest first, paged by `afterSeq` (`nextAfterSeq` in the answer).' })
  @ApiJson(200, { type: 'object', properties: { items: listOf(schemas.auditEntry), nextAfterSeq: { type: 'integer', nullable: true } } })
  entries(@Query() query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/entries', query }, req, res);
  }

  @Get('export')
  @RequirePermission('audit:export')
  @applyDecorators(...auditFilters)
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiOperation({ summary: 'Export the audit log', description: 'Every matching entry, streamed, as a JSON array or CSV (with the chain hashes, so a copy can be verified).' })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, description: 'The entries', schema: { type: 'string' } })
  export(@Query() query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/export', query }, req, res);
  }

  @Get('verify')
  @RequirePermission('audit:view')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description: 'Recomputes every entry\'s hash from the first; `brokenAt` names the first entry edited, deleted or reordered. `flowforge audit verify` does the same on the client.',
  })
  @ApiJson(200, {
    type: 'object',
    properties: {
      ok: { type: 'boolean' },
      checked: { type: 'integer' },
      lastSeq: { type: 'integer', nullable: true },
      brokenAt: { type: 'object', nullable: true, properties: { seq: { type: 'integer' }, reason: str, message: str } },
    },
  })
  verify(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/verify' }, req, res);
  }
}
