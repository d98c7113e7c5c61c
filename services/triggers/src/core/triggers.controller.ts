import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { actorFromHeaders } from '@flowforge/access';
import { listFiringsQuery, saveTriggerRequest, testTriggerRequest, triggerNameParam, type SaveTriggerRequest, type TestTriggerRequest } from '@flowforge/http';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import type { Evaluation } from './trigger.firer';
import { TriggersService, type TriggerTypeView } from './triggers.service';
import type { FiringView, TriggerView } from './trigger.views';

type RequestHeaders = Record<string, string | string[] | undefined>;

/** The triggers' internal API (/internal/triggers), behind the gateway's /api/v1/triggers and /api/v1/trigger-types. */
@Controller('internal/triggers')
export class TriggersController {
  constructor(private readonly triggers: TriggersService) {}

  @Get('trigger-types')
  types(): TriggerTypeView[] {
    return this.triggers.types();
  }

  @Get('triggers')
  list(): Promise<TriggerView[]> {
    return this.triggers.list();
  }

  @Get('triggers/:name')
  get(@Param('name', new ZodPipe(triggerNameParam, 'name')) name: string): Promise<TriggerView> {
    return this.triggers.get(name);
  }

  /** 201 with the trigger (and, once, a generated webhook secret) when created; 200 when replaced. */
  @Put('triggers/:name')
  async save(
    @Param('name', new ZodPipe(triggerNameParam, 'name')) name: string,
    @Body(new ZodPipe(saveTriggerRequest)) body: SaveTriggerRequest,
    @Headers() headers: RequestHeaders,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<TriggerView & { secret?: string }> {
    const saved = await this.triggers.save(name, body, actorFromHeaders(headers));
    res.statusCode = saved.created ? 201 : 200;
    return saved.generatedSecret ? { ...saved.trigger, secret: saved.generatedSecret } : saved.trigger;
  }

  @Delete('triggers/:name')
  @HttpCode(204)
  async delete(@Param('name', new ZodPipe(triggerNameParam, 'name')) name: string, @Headers() headers: RequestHeaders): Promise<void> {
    await this.triggers.delete(name, actorFromHeaders(headers));
  }

  @Get('triggers/:name/firings')
  firings(
    @Param('name', new ZodPipe(triggerNameParam, 'name')) name: string,
    @Query(new ZodPipe(listFiringsQuery)) query: { limit: number; offset: number },
  ): Promise<{ items: FiringView[]; total: number; limit: number; offset: number }> {
    return this.triggers.firings(name, query);
  }

  @Post('triggers/:name/test')
  @HttpCode(200)
  test(
    @Param('name', new ZodPipe(triggerNameParam, 'name')) name: string,
    @Body(new ZodPipe(testTriggerRequest)) body: TestTriggerRequest,
  ): Promise<Evaluation> {
    return this.triggers.test(name, body);
  }
}
