import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  asOfQuery,
  expressionTestRequest,
  filterPreviewRequest,
  sqlQueryRequest,
  transformPreviewRequest,
  uuidParam,
  type AsOfQuery,
  type ExpressionTestRequest,
  type FilterPreviewRequest,
  type SqlQueryRequest,
  type TransformPreviewRequest,
} from '@flowforge/http';
import { ZodPipe } from '@flowforge/service-kit';
import { AsOfService } from './as-of.service';
import { ExpressionService } from './expression.service';
import { PreviewService } from './preview.service';
import { SqlQueryService } from './sql-query.service';

/** The transformation service's interactive routes; the gateway forwards /api/v1/transform, /api/v1/sql and the as-of query here (permissions there). */
@Controller('internal/transformation')
export class TransformationInternalController {
  constructor(
    private readonly previews: PreviewService,
    private readonly sql: SqlQueryService,
    private readonly expressions: ExpressionService,
    private readonly asOf: AsOfService,
  ) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body(new ZodPipe(transformPreviewRequest)) body: TransformPreviewRequest) {
    return this.previews.preview(body);
  }

  @Post('expressions/test')
  @HttpCode(200)
  testExpression(@Body(new ZodPipe(expressionTestRequest)) body: ExpressionTestRequest) {
    return this.expressions.test(body);
  }

  @Post('filters/preview')
  @HttpCode(200)
  previewFilter(@Body(new ZodPipe(filterPreviewRequest)) body: FilterPreviewRequest) {
    return this.expressions.previewFilter(body);
  }

  @Post('sql/query')
  @HttpCode(200)
  query(@Body(new ZodPipe(sqlQueryRequest)) body: SqlQueryRequest) {
    return this.sql.query(body);
  }

  @Post('sql/validate')
  @HttpCode(200)
  validate(@Body(new ZodPipe(sqlQueryRequest)) body: SqlQueryRequest) {
    return this.sql.validate(body);
  }

  @Post('sql/dry-run')
  @HttpCode(200)
  dryRun(@Body(new ZodPipe(sqlQueryRequest)) body: SqlQueryRequest) {
    return this.sql.dryRun(body);
  }

  @Get('assets/:id/as-of')
  asOfQuery(@Param('id', uuidParam()) id: string, @Query(new ZodPipe(asOfQuery)) query: AsOfQuery) {
    return this.asOf.query(id, query);
  }
}
