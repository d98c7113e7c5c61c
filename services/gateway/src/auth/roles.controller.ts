import { Body, Controller, Delete, Get, Param, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, putRoleRequest } from '@flowforge/http';
import type { HttpResponse } from '@flowforge/service-kit';
import { AccessState } from './access-state';
import { ApiJson, ApiNoContent, listOf, schemas } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { Authenticated, RequirePermission, SelfAudited } from './route-access';

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
  @ApiZodBody(putRoleRequest)
  @ApiJson(201, schemas.role, 'Created')
  @ApiJson(200, schemas.role, 'Replaced')
  @ApiProblem(409, 'FF_ROLE_BUILTIN: built-in roles cannot be changed')
  async put(@Param('name') name: string, @Body() body: unknown, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'PUT', path: `/roles/${encodeURIComponent(name)}`, body }, req, res, (status) =>
      status < 300 ? this.state.refreshNow() : undefined,
    );
  }

  @Delete(':name')
  @ApiParam({ name: 'name', example: 'data-steward' })
  @RequirePermission('settings:manage-users')
  @ApiOperation({ summary: 'Delete a custom role', description: 'Users holding it lose it.' })
  @ApiNoContent('Deleted')
  @ApiProblem(404, 'FF_ROLE_NOT_FOUND')
  @ApiProblem(409, 'FF_ROLE_BUILTIN')
  async delete(@Param('name') name: string, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    await this.auth.forward({ method: 'DELETE', path: `/roles/${encodeURIComponent(name)}` }, req, res, (status) =>
      status < 300 ? this.state.refreshNow() : undefined,
    );
  }
}
