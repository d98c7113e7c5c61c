import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiProblem, ApiZodBody, uuidParam } from '@flowforge/http';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { EventBus } from '@flowforge/bus';
import { EchoRequested } from '@flowforge/contracts';
import { EVENT_BUS, NotFoundProblem, ZodPipe } from '@flowforge/service-kit';
import { EchoAcceptedDto, EchoViewDto } from './echo.dto';
import { echoRequest, type EchoRequest } from './echo.requests';
import { OrchestratorClient } from './orchestrator.client';
import { RequirePermission } from '../auth/route-access';

/** End-to-end proof of the platform: REST → bus → orchestrator → internal HTTP query back. */
@ApiTags('system')
@Controller('api/v1/system/echo')
export class EchoController {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly orchestrator: OrchestratorClient,
  ) {}

  @Post()
  @RequirePermission('settings:configure-system')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send an echo through the bus', description: 'Publishes EchoRequested; the orchestrator handles it once. Poll the returned id.' })
  @ApiZodBody(echoRequest)
  @ApiResponse({ status: 202, type: EchoAcceptedDto, description: 'Published' })
  @ApiProblem(400, 'FF_VALIDATION: `message` must be 1 to 1000 characters')
  async request(@Body(new ZodPipe(echoRequest)) body: EchoRequest): Promise<EchoAcceptedDto> {
    const echoId = randomUUID();
    await this.bus.publish(EchoRequested, { echoId, message: body.message }, { key: echoId });
    return { id: echoId };
  }

  @Get(':id')
  @RequirePermission('settings:configure-system')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Whether the orchestrator handled an echo' })
  @ApiResponse({ status: 200, type: EchoViewDto })
  @ApiProblem(400, 'FF_VALIDATION: the id is not a UUID')
  @ApiProblem(404, 'FF_ECHO_NOT_FOUND: not handled yet')
  @ApiProblem(502, 'FF_ORCHESTRATOR_UNREACHABLE, FF_ORCHESTRATOR_FAILED')
  async get(@Param('id', uuidParam()) id: string): Promise<EchoViewDto> {
    const receipt = await this.orchestrator.findEcho(id);
    if (!receipt) throw new NotFoundProblem('FF_ECHO_NOT_FOUND', `echo ${id} has not been handled yet`);
    return { id: receipt.id, message: receipt.message, handled: true, handledCount: receipt.handledCount };
  }
}
