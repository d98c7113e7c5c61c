import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiProblem,
  ApiZodBody,
  ApiZodQuery,
  browseConnectionQuery,
  createConnectionRequest,
  listConnectionsQuery,
  updateConnectionRequest,
  uuidParam,
} from '@flowforge/http';
import { ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { CatalogClient } from './catalog.client';
import { ConnectionBrowseDto, ConnectionDto, ConnectionTestResultDto } from './connection.dto';
import { RequirePermission } from '../auth/route-access';

const idParam = ApiParam({ name: 'id', format: 'uuid' });

/**
 * Public connections API; the catalog owns connections and their secrets, and validates the bodies
 * (forwarded as they came). Queries are checked here with the catalog's schema.
 */
@ApiTags('connections')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_CATALOG_UNREACHABLE: the catalog did not answer')
@Controller('api/v1/connections')
export class ConnectionsController {
  // The caller's permissions travel in the actor headers every forwarded call carries (libs/access
  // actorHeaders): the catalog checks who may set `allowPrivateNetworks` with them.
  constructor(private readonly catalog: CatalogClient) {}

  @Post()
  @RequirePermission('settings:manage-connections')
  @ApiOperation({ summary: 'Create a connection', description: 'Secrets are encrypted at rest (AES-256-GCM) and never returned.' })
  @ApiZodBody(createConnectionRequest)
  @ApiResponse({ status: 201, type: ConnectionDto })
  @ApiProblem(403, 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks`')
  @ApiProblem(409, 'FF_CONNECTION_NAME_TAKEN')
  create(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: '/connections', body }, req, res);
  }

  @Get()
  @RequirePermission('connection:view')
  @ApiOperation({ summary: 'List connections', description: 'Ordered by name; filter by type.' })
  @ApiZodQuery(listConnectionsQuery)
  @ApiResponse({ status: 200, type: [ConnectionDto] })
  list(@Query(new ZodCheckPipe(listConnectionsQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
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
  @ApiZodBody(updateConnectionRequest)
  @ApiResponse({ status: 200, type: ConnectionDto })
  @ApiProblem(
    403,
    'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY: only settings:configure-system may set `config.allowPrivateNetworks` or change where such a connection goes',
  )
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  update(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'PATCH', path: `/connections/${id}`, body }, req, res);
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
    description:
      'Connects with the stored config (postgres/mysql: SELECT 1; s3: HeadBucket; local: directory writable; http: HEAD/GET; kafka: describeCluster; sftp: list the login directory; gcs, azure: list one key of the bucket or container). A failed probe is still a 200 with ok=false and a message saying what failed.',
  })
  @ApiResponse({ status: 200, type: ConnectionTestResultDto })
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND')
  test(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: `/connections/${id}/test` }, req, res);
  }

  @Get(':id/browse')
  @RequirePermission('connection:use')
  @idParam
  @ApiOperation({
    summary: 'Browse a file connection',
    description:
      'Lists one folder of a file connection (local, s3, gcs, azure, and the other file location types) with its stored config: folders and files, sorted, at most 1000. Object stores show key prefixes as folders; http connections cannot be listed (422 FF_LOCATION_UNSUPPORTED).',
  })
  @ApiZodQuery(browseConnectionQuery)
  @ApiResponse({ status: 200, type: ConnectionBrowseDto })
  @ApiProblem(404, 'FF_CONNECTION_NOT_FOUND, or FF_LOCATION_NOT_FOUND: no such folder')
  @ApiProblem(
    422,
    'FF_LOCATION_UNSUPPORTED: the connection holds no files (postgres, kafka...) or cannot list (http); FF_LOCATION_REFUSED: the address guard or the local path policy refused it',
  )
  @ApiProblem(502, 'FF_LOCATION_AUTH, FF_LOCATION_UNREACHABLE, FF_LOCATION_FAILED: the store refused the stored credentials, could not be reached, or failed')
  browse(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(browseConnectionQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/connections/${id}/browse`, query }, req, res);
  }
}
