import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import type { HttpResponse } from '@flowforge/service-kit';
import { ZodPipe } from '@flowforge/service-kit';
import { AssetCommitService, type CommitResult } from './asset-commit.service';
import { AssetDeleteService } from './asset-delete.service';
import { AssetReadService, type PreviewView } from './asset-read.service';
import { AssetRetentionService, type RetentionReport } from './asset-retention.service';
import {
  commitRequest,
  downloadQuery,
  listAssetsQuery,
  listSnapshotsQuery,
  previewQuery,
  retentionRequest,
  type CommitRequest,
  type DownloadQuery,
  type ListAssetsQuery,
  type ListSnapshotsQuery,
  type PreviewQuery,
  type RetentionRequest,
  uuidParam,
} from '@flowforge/http';
import type { AssetView, SchemaVersionView, SnapshotDetailView, SnapshotView } from './asset.views';

/** Internal API (gateway and writers only). Bodies and queries are validated with zod. */
@Controller('internal/catalog/assets')
export class AssetsInternalController {
  constructor(
    private readonly commits: AssetCommitService,
    private readonly reads: AssetReadService,
    private readonly retention: AssetRetentionService,
    private readonly deletes: AssetDeleteService,
  ) {}

  /** 201 with a new snapshot; 200 with the snapshot a repeated idempotency key already made. */
  @Post('commit')
  async commit(@Body(new ZodPipe(commitRequest)) body: CommitRequest, @Res() res: HttpResponse): Promise<void> {
    const result: CommitResult = await this.commits.commit(body);
    // Written by hand: Nest would overwrite a status chosen at run time with the route's fixed one.
    res.statusCode = result.created ? 201 : 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(result));
  }

  @Get()
  list(@Query(new ZodPipe(listAssetsQuery)) query: ListAssetsQuery): Promise<AssetView[]> {
    return this.reads.list(query);
  }

  @Get(':id')
  get(@Param('id', uuidParam()) id: string): Promise<AssetView> {
    return this.reads.get(id);
  }

  @Get(':id/snapshots')
  snapshots(@Param('id', uuidParam()) id: string, @Query(new ZodPipe(listSnapshotsQuery)) page: ListSnapshotsQuery): Promise<SnapshotView[]> {
    return this.reads.snapshots(id, page);
  }

  @Get(':id/snapshots/:snapshotId')
  snapshot(@Param('id', uuidParam()) id: string, @Param('snapshotId', uuidParam('snapshotId')) snapshotId: string): Promise<SnapshotDetailView> {
    return this.reads.snapshot(id, snapshotId);
  }

  @Get(':id/schema-history')
  schemaHistory(@Param('id', uuidParam()) id: string): Promise<SchemaVersionView[]> {
    return this.reads.schemaHistory(id);
  }

  @Get(':id/preview')
  preview(@Param('id', uuidParam()) id: string, @Query(new ZodPipe(previewQuery)) query: PreviewQuery): Promise<PreviewView> {
    return this.reads.preview(id, query.snapshot, query.limit);
  }

  /** Streamed: DuckDB writes the export to a temp file that is piped out and removed. */
  @Get(':id/download')
  async download(@Param('id', uuidParam()) id: string, @Query(new ZodPipe(downloadQuery)) query: DownloadQuery, @Res() res: HttpResponse): Promise<void> {
    const file = await this.reads.download(id, query.snapshot, query.format);
    res.statusCode = 200;
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    // Headers are gone once bytes flow: a failure now can only cut the response short.
    await pipeline(file.stream, res).catch(() => res.destroy());
  }

  @Put(':id/retention')
  async setRetention(@Param('id', uuidParam()) id: string, @Body(new ZodPipe(retentionRequest)) body: RetentionRequest): Promise<AssetView> {
    await this.retention.setPolicy(id, body);
    return this.reads.get(id);
  }

  @Post(':id/retention/apply')
  @HttpCode(200)
  applyRetention(@Param('id', uuidParam()) id: string): Promise<RetentionReport> {
    return this.retention.apply(id);
  }

  /** Soft delete: 204; 404 when there is no such (live) asset. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', uuidParam()) id: string): Promise<void> {
    await this.deletes.delete(id);
  }
}
