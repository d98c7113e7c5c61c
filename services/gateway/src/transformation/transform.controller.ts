import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, expressionTestRequest, filterPreviewRequest, transformPreviewRequest } from '@flowforge/http';
import type { HttpRequest, HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { ExpressionTestDto, FilterPreviewDto, TransformPreviewDto } from './transform.dto';
import { TransformationClient } from './transformation.client';

/**
 * Interactive checks of transformation jobs, answered by the transformation service over the lake without
 * writing anything: a job's preview, an expression on sample rows, a filter's counts. Reading lake data,
 * they need asset:view.
 */
@ApiTags('transform')
@ApiProblem(400, 'Invalid input; `errors` names each field (and `position` inside an expression)')
@ApiProblem(502, 'FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer')
@Controller('api/v1/transform')
export class TransformController {
  constructor(private readonly transformation: TransformationClient) {}

  @Post('preview')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({
    summary: 'Preview a transformation job',
    description:
      'Compiles the job configuration and runs it over the current snapshots of its inputs: first rows, row count and output schema. Nothing is written.',
  })
  @ApiZodBody(transformPreviewRequest)
  @ApiResponse({ status: 200, type: TransformPreviewDto })
  @ApiProblem(404, 'FF_TRANSFORM_UNKNOWN_TABLE: an input is not in the lake')
  @ApiProblem(422, 'FF_SQL_LIMIT: the preview passed its time or memory limit')
  preview(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/preview', body }, req, res);
  }

  @Post('expressions/test')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({
    summary: 'Test a derived-column expression',
    description:
      'Checks the expression against the schema (an unknown column or function is named with its position) and evaluates it on sample rows: a table’s first rows, or rows sent with their schema.',
  })
  @ApiZodBody(expressionTestRequest)
  @ApiResponse({ status: 200, type: ExpressionTestDto })
  @ApiProblem(404, 'FF_TRANSFORM_UNKNOWN_TABLE')
  testExpression(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/expressions/test', body }, req, res);
  }

  @Post('filters/preview')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({
    summary: 'Count the rows a filter keeps and drops',
    description: 'The condition tree of transform.silver, over the current snapshot of a table.',
  })
  @ApiZodBody(filterPreviewRequest)
  @ApiResponse({ status: 200, type: FilterPreviewDto })
  @ApiProblem(404, 'FF_TRANSFORM_UNKNOWN_TABLE')
  previewFilter(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/filters/preview', body }, req, res);
  }
}
