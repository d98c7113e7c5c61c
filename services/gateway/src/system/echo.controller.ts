import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventBus } from '@flowforge/bus';
import { EchoRequested } from '@flowforge/contracts';
import { EVENT_BUS, NotFoundProblem } from '@flowforge/service-kit';
import { EchoRequestDto } from './echo-request.dto';
import { OrchestratorClient } from './orchestrator.client';

export interface EchoView {
  id: string;
  message: string;
  handled: true;
  handledCount: number;
}

/** End-to-end proof of the platform: REST → bus → orchestrator → internal HTTP query back. */
@Controller('api/v1/system/echo')
export class EchoController {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly orchestrator: OrchestratorClient,
  ) {}

  @Post()
  @HttpCode(202)
  async request(@Body() body: EchoRequestDto): Promise<{ id: string }> {
    const echoId = randomUUID();
    await this.bus.publish(EchoRequested, { echoId, message: body.message }, { key: echoId });
    return { id: echoId };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<EchoView> {
    const receipt = await this.orchestrator.findEcho(id);
    if (!receipt) throw new NotFoundProblem('FF_ECHO_NOT_FOUND', `echo ${id} has not been handled yet`);
    return { id: receipt.id, message: receipt.message, handled: true, handledCount: receipt.handledCount };
  }
}
