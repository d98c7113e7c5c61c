import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiProblem,
  ApiZodBody,
  ApiZodQuery,
  downloadQuery,
  listAssetsQuery,
  listSnapshotsQuery,
  previewQuery,
  retentionRequest,
  uuidParam,
} from '@flowforge/http';
import { ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { AssetDto, ColumnStatsDto, PreviewDto, RetentionReportDto, SchemaVersionDto, SnapshotDetailDto, SnapshotDto } from './asset.dto';
import { CatalogClient } from './catalog.client';
import { RequirePermission } from '../auth/route-access';

const idParam = ApiParam({ name: 'id', format: 'uuid', description: 'Asset id' });
const notFound = ApiProblem(404, 'FF_ASSET_NOT_FOUND, FF_SNAPSHOT_NOT_FOUND or FF_ASSET_EMPTY');

/**
 * Public read API of the lake's tables (writers commit through the catalog's internal API). Queries are
 * checked here with the catalog's schemas and forwarded as they came; bodies are the catalog's to validate.
 */
@ApiTags('assets')
// SnapshotDto.stats names ColumnStatsDto by $ref only, so the document would not define it otherwise.
@ApiExtraModels(ColumnStatsDto)
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_CATALOG_UNREACHABLE: the catalog did not answer')
@Controller('api/v1/assets')
export class AssetsController {
  constructor(private readonly catalog: CatalogClient) {}

  @Get()
  @RequirePermission('asset:view')
  @ApiOperation({ summary: 'List data assets', description: 'Lake tables, filtered by layer, namespace and table.' })
  @ApiZodQuery(listAssetsQuery)
  @ApiResponse({ status: 200, type: [AssetDto] })
  list(@Query(new ZodCheckPipe(listAssetsQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: '/assets', query }, req, res);
  }

  @Get(':id')
  @RequirePermission('asset:view')
  @idParam
  @ApiOperation({ summary: 'Get a data asset with its current snapshot' })
  @ApiResponse({ status: 200, type: AssetDto })
  @notFound
  get(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}` }, req, res);
  }

  @Get(':id/snapshots')
  @RequirePermission('asset:view')
  @idParam
  @ApiOperation({ summary: 'List the snapshots of an asset, newest first' })
  @ApiZodQuery(listSnapshotsQuery)
  @ApiResponse({ status: 200, type: [SnapshotDto] })
  @notFound
  snapshots(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(listSnapshotsQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}/snapshots`, query }, req, res);
  }

  @Get(':id/snapshots/:snapshotId')
  @RequirePermission('asset:view')
  @idParam
  @ApiParam({ name: 'snapshotId', format: 'uuid' })
  @ApiOperation({ summary: 'Get one snapshot with its data files' })
  @ApiResponse({ status: 200, type: SnapshotDetailDto })
  @notFound
  snapshot(
    @Param('id', uuidParam()) id: string,
    @Param('snapshotId', uuidParam('snapshotId')) snapshotId: string,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}/snapshots/${snapshotId}` }, req, res);
  }

  @Get(':id/schema-history')
  @RequirePermission('asset:view')
  @idParam
  @ApiOperation({ summary: 'Schema versions of an asset, each with the snapshot that introduced it' })
  @ApiResponse({ status: 200, type: [SchemaVersionDto] })
  @notFound
  schemaHistory(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}/schema-history` }, req, res);
  }

  @Get(':id/preview')
  @RequirePermission('asset:view')
  @idParam
  @ApiOperation({ summary: 'First rows of a snapshot', description: 'Default: the current snapshot, 100 rows (at most 10000).' })
  @ApiZodQuery(previewQuery)
  @ApiResponse({ status: 200, type: PreviewDto })
  @notFound
  preview(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(previewQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}/preview`, query }, req, res);
  }

  @Get(':id/download')
  @RequirePermission('asset:download')
  @idParam
  @ApiOperation({
    summary: 'Download a snapshot as CSV or Parquet',
    description: 'Streamed, with Content-Disposition: attachment; filename="<layer>.<namespace>.<table>.<sequence>.<format>".',
  })
  @ApiProduces('text/csv', 'application/vnd.apache.parquet')
  @ApiResponse({ status: 200, description: 'The file', schema: { type: 'string', format: 'binary' } })
  @ApiZodQuery(downloadQuery)
  @notFound
  download(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(downloadQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.catalog.forward({ method: 'GET', path: `/assets/${id}/download`, query }, req, res);
  }

  @Put(':id/retention')
  @RequirePermission('asset:edit')
  @idParam
  @ApiOperation({
    summary: 'Set the retention policy',
    description: 'A snapshot stays while it is current, among the last `keepLast`, or younger than `maxAgeSeconds`.',
  })
  @ApiZodBody(retentionRequest)
  @ApiResponse({ status: 200, type: AssetDto })
  @notFound
  setRetention(@Param('id', uuidParam()) id: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'PUT', path: `/assets/${id}/retention`, body }, req, res);
  }

  @Post(':id/retention/apply')
  @RequirePermission('asset:delete')
  @idParam
  @ApiOperation({
    summary: 'Apply the retention policy now',
    description: 'Expires snapshots and deletes the files no remaining snapshot lists (the periodic sweep does the same).',
  })
  @ApiResponse({ status: 200, type: RetentionReportDto })
  @notFound
  applyRetention(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'POST', path: `/assets/${id}/retention/apply` }, req, res);
  }

  @Delete(':id')
  @RequirePermission('asset:delete')
  @idParam
  @ApiOperation({
    summary: 'Delete a data asset',
    description:
      'Soft delete: lists and reads no longer show it and a commit by its id is refused; its snapshots and lake files are kept. A later commit to the same layer/namespace/table creates a new asset (new id); a writer still building on the deleted asset gets FF_ASSET_COMMIT_CONFLICT.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_ASSET_NOT_FOUND')
  delete(@Param('id', uuidParam()) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.catalog.forward({ method: 'DELETE', path: `/assets/${id}` }, req, res);
  }
}
