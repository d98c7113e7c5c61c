import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, putSqlTemplateRequest, sqlQueryRequest, sqlTemplateNameParam } from '@flowforge/http';
import { ZodPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { SqlDryRunDto, SqlParamDto, SqlResultDto, SqlTemplateDto, SqlValidationDto } from './transform.dto';
import { TransformationClient } from './transformation.client';

const name = new ZodPipe(sqlTemplateNameParam, 'name');
const nameParam = ApiParam({ name: 'name', description: 'Template name', example: 'orders-since' });

/**
 * Custom SQL over the lake (services/transformation/README.md, The SQL sandbox): one read-only SELECT over
 * bronze/silver/gold tables, in a DuckDB locked down for the query (no file, network or extension access,
 * memory and time limits). Reading lake data needs asset:view; templates are jobs' building blocks (job:*).
 */
@ApiTags('sql')
@ApiExtraModels(SqlParamDto)
@ApiProblem(400, 'Invalid input; `errors` names each field (and `position` inside the SQL)')
@ApiProblem(502, 'FF_UPSTREAM_UNAVAILABLE: the transformation service did not answer')
@Controller('api/v1/sql')
export class SqlController {
  constructor(private readonly transformation: TransformationClient) {}

  @Post('query')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({ summary: 'Run a read-only query', description: 'At most `limit` rows; `truncated` says when there were more.' })
  @ApiZodBody(sqlQueryRequest)
  @ApiResponse({ status: 200, type: SqlResultDto })
  @ApiProblem(403, 'FF_SQL_NOT_ALLOWED: not one read-only SELECT over lake tables (files, ATTACH, COPY, SET… are refused)')
  @ApiProblem(404, 'FF_TRANSFORM_UNKNOWN_TABLE')
  @ApiProblem(422, 'FF_SQL_LIMIT: the query passed its time or memory limit')
  query(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/sql/query', body }, req, res);
  }

  @Post('validate')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({
    summary: 'Validate a query',
    description: 'Parse and bind against the lake tables: problems with their position, the result schema, tables and parameters. Runs nothing.',
  })
  @ApiZodBody(sqlQueryRequest)
  @ApiResponse({ status: 200, type: SqlValidationDto })
  validate(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/sql/validate', body }, req, res);
  }

  @Post('dry-run')
  @HttpCode(200)
  @RequirePermission('asset:view')
  @ApiOperation({ summary: 'Dry-run a query', description: "DuckDB's plan, the result schema and the first rows, writing nothing." })
  @ApiZodBody(sqlQueryRequest)
  @ApiResponse({ status: 200, type: SqlDryRunDto })
  @ApiProblem(403, 'FF_SQL_NOT_ALLOWED')
  @ApiProblem(422, 'FF_SQL_LIMIT')
  dryRun(@Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'POST', path: '/sql/dry-run', body }, req, res);
  }

  @Get('templates')
  @RequirePermission('job:view')
  @ApiOperation({ summary: 'List saved SQL templates' })
  @ApiResponse({ status: 200, type: [SqlTemplateDto] })
  listTemplates(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'GET', path: '/sql/templates' }, req, res);
  }

  @Get('templates/:name')
  @RequirePermission('job:view')
  @nameParam
  @ApiOperation({ summary: 'Get a saved SQL template' })
  @ApiResponse({ status: 200, type: SqlTemplateDto })
  @ApiProblem(404, 'FF_SQL_TEMPLATE_NOT_FOUND')
  getTemplate(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'GET', path: `/sql/templates/${n}` }, req, res);
  }

  @Put('templates/:name')
  @RequirePermission('job:edit')
  @nameParam
  @ApiOperation({
    summary: 'Save a SQL template',
    description:
      'Creates or replaces (a new one also needs job:create). The SQL is validated first (parse, parameters, sandbox rules); its tables need not exist yet.',
  })
  @ApiZodBody(putSqlTemplateRequest)
  @ApiResponse({ status: 201, type: SqlTemplateDto, description: 'Created' })
  @ApiResponse({ status: 200, type: SqlTemplateDto, description: 'Replaced' })
  @ApiProblem(403, 'FF_FORBIDDEN (job:create for a new template) or FF_SQL_NOT_ALLOWED')
  putTemplate(@Param('name', name) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'PUT', path: `/sql/templates/${n}`, body }, req, res);
  }

  @Delete('templates/:name')
  @RequirePermission('job:delete')
  @nameParam
  @ApiOperation({ summary: 'Delete a SQL template' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_SQL_TEMPLATE_NOT_FOUND')
  deleteTemplate(@Param('name', name) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'DELETE', path: `/sql/templates/${n}` }, req, res);
  }
}
