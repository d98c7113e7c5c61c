import { Controller, Get, Header, Res } from '@nestjs/common';
import type { HttpResponse } from '../http/http-types';
import { metricsRegistry } from './metrics.registry';

@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: HttpResponse): Promise<void> {
    const registry = metricsRegistry();
    res.setHeader('Content-Type', registry.contentType);
    res.end(await registry.metrics());
  }
}
