import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodQuery, asOfQuery, uuidParam } from '@flowforge/http';
import { ZodCheckPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { AsOfDto } from './transform.dto';
import { TransformationClient } from './transformation.client';

/** The as-of query of an SCD Type 2 dimension (gold.scd2), answered by the transformation service that wrote it. */
@ApiTags('assets')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@Controller('api/v1/assets')
export class AssetAsOfController {
  constructor(private readonly transformation: TransformationClient) {}

  @Get(':id/as-of')
  @RequirePermission('asset:view')
  @ApiParam({ name: 'id', format: 'uuid', description: 'Asset id of an SCD2 dimension' })
  @ApiOperation({
    summary: 'Rows of an SCD2 dimension as they were at an instant',
    description: 'The versions valid at `ts` (valid_from ≤ ts < valid_to), read from the current snapshot.',
  })
  @ApiZodQuery(asOfQuery)
  @ApiResponse({ status: 200, type: AsOfDto })
  @ApiProblem(404, 'FF_ASSET_NOT_FOUND')
  @ApiProblem(409, 'FF_ASSET_NOT_SCD2: the asset was not written by gold.scd2')
  asOf(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodCheckPipe(asOfQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.transformation.forward({ method: 'GET', path: `/assets/${id}/as-of`, query }, req, res);
  }
}
