import { Controller, Get, Res } from '@nestjs/common';
import type { HttpResponse } from '../http/http-types';
import { ReadinessRegistry } from './readiness.registry';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** The process is up and its event loop answers; never touches dependencies (restarts are costly). */
  @Get('live')
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  /** Every registered check passes, else 503 — load balancers stop sending traffic, nothing restarts. */
  @Get('ready')
  async ready(@Res() res: HttpResponse): Promise<void> {
    const report = await this.readiness.run();
    res.statusCode = report.status === 'up' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(report));
  }
}
