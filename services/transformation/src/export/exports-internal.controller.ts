import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { Pool } from 'pg';
import { exportHistoryQuery, type ExportHistoryQuery } from '@flowforge/http';
import { servicePoolToken, ZodPipe } from '@flowforge/service-kit';
import { ExportHistoryStore, type ExportRecord } from './export-history.store';

/** The export history; the gateway forwards /api/v1/exports/history here (job:view checked there). */
@Controller('internal/transformation/exports')
export class ExportsInternalController {
  private readonly history: ExportHistoryStore;

  constructor(@Inject(servicePoolToken('transformation')) pool: Pool) {
    this.history = new ExportHistoryStore(pool);
  }

  @Get('history')
  list(@Query(new ZodPipe(exportHistoryQuery)) query: ExportHistoryQuery): Promise<ExportRecord[]> {
    return this.history.list(query);
  }
}
