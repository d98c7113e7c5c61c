import { Body, Controller, Delete, Get, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, createUserRequest, setPasswordRequest, updateUserRequest, uuidParam } from '@flowforge/http';
import type { HttpResponse } from '@flowforge/service-kit';
import { AccessState } from './access-state';
import { ApiJson, ApiNoContent, listOf, schemas } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { RequirePermission, SelfAudited } from './route-access';
import { TokenVerifier } from './token-verifier';

const idParam = ApiParam({ name: 'id', format: 'uuid' });

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
  @ApiZodBody(createUserRequest)
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
  @ApiOperation({ summary: 'Edit a user', description: "E-mail, display name, roles, disabled. Disabling ends the user's sessions." })
  @ApiZodBody(updateUserRequest)
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
    summary: "Set a user's password",
    description:
      'For a forgotten password when no mail server is configured: temporary by default (the user must change it at the next sign-in). The policy applies; every session of the user ends.',
  })
  @ApiZodBody(setPasswordRequest)
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
  @ApiOperation({ summary: "A user's open sessions" })
  @ApiJson(200, listOf(schemas.session))
  sessions(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: `/users/${id}/sessions` }, req, res);
  }

  @Delete(':id/sessions/:sessionId')
  @idParam
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: "End a user's session" })
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
