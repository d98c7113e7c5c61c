import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ZodPipe, says } from '@flowforge/service-kit';
import { LakeGcService, type GcReport } from './lake-gc.service';
import { LakeMaintenance } from './lake-maintenance';

const gcRequest = z
  .strictObject({
    graceMinutes: z.number(says('must be a non-negative integer')).int('must be a non-negative integer').min(0, 'must be a non-negative integer').optional(),
  })
  .default({});
// An alias, not `z.output<…>` inline: decorator metadata would name zod's runtime `output` as the parameter type.
type GcRequest = z.output<typeof gcRequest>;

/** Internal only: runs the lake GC now (operators, tests); the periodic sweep does the same. */
@Controller('internal/catalog/lake')
export class LakeInternalController {
  constructor(
    private readonly gc: LakeGcService,
    private readonly maintenance: LakeMaintenance,
  ) {}

  @Post('gc')
  @HttpCode(200)
  collect(@Body(new ZodPipe(gcRequest)) body: GcRequest): Promise<GcReport> {
    return this.gc.collect(body.graceMinutes === undefined ? this.maintenance.graceMs : body.graceMinutes * 60_000);
  }
}
