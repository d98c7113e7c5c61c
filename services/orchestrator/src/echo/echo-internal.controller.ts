import { Controller, Get, Inject, Param } from '@nestjs/common';
import { uuidParam } from '@flowforge/http';
import { NotFoundProblem } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { EchoReceiptStore } from './echo-receipt.store';

export interface EchoReceiptView {
  id: string;
  message: string;
  handledCount: number;
  handledAt: string;
}

/** Internal query API, called by the gateway only (never exposed publicly). */
@Controller('internal/orchestrator/echo')
export class EchoInternalController {
  constructor(
    private readonly store: EchoReceiptStore,
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
  ) {}

  @Get(':id')
  async get(@Param('id', uuidParam()) id: string): Promise<EchoReceiptView> {
    const receipt = await this.store.find(this.pool, id);
    if (!receipt) throw new NotFoundProblem('FF_ECHO_NOT_FOUND', `echo ${id} has not been handled by the orchestrator (yet)`);
    return { id: receipt.echoId, message: receipt.message, handledCount: receipt.handledCount, handledAt: receipt.handledAt.toISOString() };
  }
}
