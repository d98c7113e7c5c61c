import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '@flowforge/service-kit';
import { AccessState } from '../auth/access-state';
import type { AuthenticatedRequest } from '../auth/principal';
import { ApiProblem } from '../openapi/problem.dto';
import { CatalogClient } from './catalog.client';
import { ConnectionDto, ConnectionTestResultDto, CreateConnectionDto, ListConnectionsQueryDto, UpdateConnectionDto } from './connection.dto';
import { uuidParam } from './uuid-param';
import { RequirePermission } from '../auth/route-access';

const idParam = ApiParam({ name: 'id', format: 'uuid' });
/** Read by the catalog (services/catalog/src/connections/connections-internal.controller.ts); the internal token guards it. */
const CALLER_PERMISSIONS_HEADER = 'x-flowforge-actor-permissions';

/** Public connections API; the catalog owns connections and their secrets. */
@ApiTags('connections')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_CATALOG_UNREACHABLE: the catalog did not answer')
@Controller('api/v1/connections')
export class ConnectionsController {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly access: AccessState,
  ) {}

  /**
   * The caller's permissions, for the catalog's own checks (only an administrator may set
   * `allowPrivateNetworks`, and only the catalog knows whether a change sets it).
   */
  private callerPermissions(req: AuthenticatedRequest): Record<string, string> {
    const p = req.principal;
    const granted = p ? [...(p.scopes ?? this.access.permissionsOf(p.roles))].sort() : [];
    return { [CALLER_PERMISSIONS_HEADER]: granted.join(',') };
  }

  @Post()
  @RequirePermission('settings:manage-connections')
  @ApiOperation({ summary: 'Create a connection', description: 'Secrets are encrypted at rest (AES-256-GCM) and never returned.' })
  @ApiBody({ type: CreateConnectionDto })
  @ApiResponse({ status: 201, type: ConnectionDto })
  @ApiProblem(403, 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks`')
  @ApiProblem(409, 'FF_CONNECTION_NAME_TAKEN')
  create(@Body() body: CreateConnectionDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: '/connections', body, headers: this.callerPermissions(req) }, req, res);
  }

  @Get()
  @RequirePermission('connection:view')
  @ApiOperation({ summary: 'List connections', description: 'Ordered by name; filter by type.' })
  @ApiResponse({ status: 200, type: [ConnectionDto] })
  list(@Query() query: ListConnectionsQueryDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: '/connections', query }, req, res);
  }

  @Get(':id')
  @RequirePermission('connection:view')
  @idParam
  @ApiOperation({ summary: 'Get a connection' })
  @ApiResponse({ status: 200, type: ConnectionDto })
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  get(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/connections/${id}` }, req, res);
  }

  @Patch(':id')
  @RequirePermission('settings:manage-connections')
  @idParam
  @ApiOperation({ summary: 'Update a connection', description: '`config` is a JSON merge patch; secrets are replaced whole or kept with `{ "set": true }`.' })
  @ApiBody({ type: UpdateConnectionDto })
  @ApiResponse({ status: 200, type: ConnectionDto })
  @ApiProblem(403, 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks` or change where such a connection goes')
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  update(@Param('id', uuidParam()) id: string, @Body() body: UpdateConnectionDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'PATCH', path: `/connections/${id}`, body, headers: this.callerPermissions(req) }, req, res);
  }

  @Delete(':id')
  @RequirePermission('settings:manage-connections')
  @idParam
  @ApiOperation({ summary: 'Delete a connection and its secrets' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  delete(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'DELETE', path: `/connections/${id}` }, req, res);
  }

  @Post(':id/test')
  @RequirePermission('connection:use')
  @idParam
  @ApiOperation({
    summary: 'Test a connection',
    description: 'Connects with the stored config (postgres/mysql: SELECT 1; s3: HeadBucket; local: directory writable; http: HEAD/GET; kafka: describeCluster; sftp: list the login directory). A failed probe is still a 200 with ok=false and a message saying what failed.',
  })
  @ApiResponse({ status: 200, type: ConnectionTestResultDto })
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  test(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: `/connections/${id}/test` }, req, res);
  }
}
