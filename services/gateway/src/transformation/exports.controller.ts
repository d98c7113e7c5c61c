import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodQuery, exportHistoryQuery } from '@flowforge/http';
import { ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { ExportRecordDto } from './transform.dto';
import { TransformationClient } from './transformation.client';

/** The history of `export` steps per destination (what snapshot went where, full or incremental, rows, outcome). */
@ApiTags('exports')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@Controller('api/v1/exports')
export class ExportsController {
  constructor(private readonly transformation: TransformationClient) {}

  @Get('history')
  @RequirePermission('job:view')
  @ApiOperation({ summary: 'Export history, newest first', description: 'Optionally of one destination (`kind:connection/table-or-path`).' })
  @ApiZodQuery(exportHistoryQuery)
  @ApiResponse({ status: 200, type: [ExportRecordDto] })
  history(@Query(new ZodCheckPipe(exportHistoryQuery)) query: Record<string, string>, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.transformation.forward({ method: 'GET', path: '/exports/history', query }, req, res);
  }
}
