import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodBody, ApiZodQuery, listFiringsQuery, saveTriggerRequest, testTriggerRequest, triggerNameParam } from '@flowforge/http';
import { ZodCheckPipe, ZodPipe, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { RequirePermission } from '../auth/route-access';
import { FiringPageDto, SavedTriggerDto, TriggerDto, TriggerTestResultDto, TriggerTypeDto } from './trigger.dto';
import { TriggersClient } from './triggers.client';

const nameParam = ApiParam({ name: 'name', example: 'orders-webhook' });
const name = () => new ZodPipe(triggerNameParam, 'name');

/** Public triggers API, forwarded to the triggers service, which validates the bodies (docs/conventions.md, Errors). */
@ApiTags('triggers')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_TRIGGERS_UNREACHABLE: the triggers service did not answer')
@Controller('api/v1')
export class TriggersController {
  constructor(private readonly triggers: TriggersClient) {}

  @Get('trigger-types')
  @RequirePermission('trigger:view')
  @ApiOperation({ summary: 'List the trigger types', description: 'Each type with the JSON Schema of its `config` (the console renders the form from it).' })
  @ApiResponse({ status: 200, type: [TriggerTypeDto] })
  types(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'GET', path: '/trigger-types' }, req, res);
  }

  @Get('triggers')
  @RequirePermission('trigger:view')
  @ApiOperation({ summary: 'List triggers', description: 'Ordered by name; secrets show as `{ "set": true }`.' })
  @ApiResponse({ status: 200, type: [TriggerDto] })
  list(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'GET', path: '/triggers' }, req, res);
  }

  @Get('triggers/:name')
  @RequirePermission('trigger:view')
  @nameParam
  @ApiOperation({ summary: 'Get a trigger' })
  @ApiResponse({ status: 200, type: TriggerDto })
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND')
  get(@Param('name', name()) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'GET', path: `/triggers/${n}` }, req, res);
  }

  @Put('triggers/:name')
  @RequirePermission('trigger:edit')
  @nameParam
  @ApiOperation({
    summary: 'Create or replace a trigger',
    description:
      'Creating also needs trigger:create. `config` is checked against the type’s schema (GET /api/v1/trigger-types); secret fields left out keep their stored value. The source restarts with the new definition. A webhook with auth hmac and no secret gets a generated one, answered once in `secret`.',
  })
  @ApiZodBody(saveTriggerRequest)
  @ApiResponse({ status: 201, type: SavedTriggerDto, description: 'Created' })
  @ApiResponse({ status: 200, type: TriggerDto, description: 'Replaced' })
  @ApiProblem(403, 'FF_FORBIDDEN: creating a trigger needs trigger:create')
  save(@Param('name', name()) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'PUT', path: `/triggers/${n}`, body }, req, res);
  }

  @Delete('triggers/:name')
  @RequirePermission('trigger:delete')
  @nameParam
  @ApiOperation({ summary: 'Delete a trigger', description: 'Its source stops; its firings go with it (the runs it started stay).' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND')
  delete(@Param('name', name()) n: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'DELETE', path: `/triggers/${n}` }, req, res);
  }

  @Get('triggers/:name/firings')
  @RequirePermission('trigger:view')
  @nameParam
  @ApiOperation({ summary: 'List a trigger’s firings', description: 'Every event it received, newest first: matched or why not, the run it requested.' })
  @ApiZodQuery(listFiringsQuery)
  @ApiResponse({ status: 200, type: FiringPageDto })
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND')
  firings(
    @Param('name', name()) n: string,
    @Query(new ZodCheckPipe(listFiringsQuery)) query: Record<string, string>,
    @Req() req: HttpRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    return this.triggers.forward({ method: 'GET', path: `/triggers/${n}/firings`, query }, req, res);
  }

  @Post('triggers/:name/test')
  @RequirePermission('trigger:execute')
  @nameParam
  @ApiOperation({
    summary: 'Test a trigger with a sample event',
    description:
      'Applies the filter and the parameter mapping to `payload` and `meta`: matched or why not, and the parameters. Records nothing and starts no run.',
  })
  @ApiZodBody(testTriggerRequest)
  @ApiResponse({ status: 200, type: TriggerTestResultDto })
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND')
  test(@Param('name', name()) n: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    return this.triggers.forward({ method: 'POST', path: `/triggers/${n}/test`, body }, req, res);
  }
}
