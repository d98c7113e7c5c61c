import { Controller, Get, Query, Res } from '@nestjs/common';
import { AUDIT_RECORD_FIELDS, type ChainedAuditRecord } from '@flowforge/access';
import { ZodPipe, type HttpResponse } from '@flowforge/service-kit';
import { AuditLog, type AuditQuery, type AuditVerification } from '../audit/audit.log';
import { auditQuery, type AuditQueryInput } from '@flowforge/http';

const CSV_COLUMNS: (keyof ChainedAuditRecord)[] = [...AUDIT_RECORD_FIELDS, 'prevHash', 'hash'];
const EXPORT_PAGE = 1000;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function toQuery(q: AuditQueryInput): AuditQuery {
  return {
    actor: q.actor,
    action: q.action,
    resourceType: q.resourceType,
    resourceId: q.resourceId,
    outcome: q.outcome,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    afterSeq: q.afterSeq,
    limit: q.limit,
  };
}

/** Search, export (CSV or JSON, streamed page by page) and server-side verification of the audit chain. */
@Controller('internal/auth/audit')
export class AuditInternalController {
  constructor(private readonly log: AuditLog) {}

  @Get('entries')
  async entries(@Query(new ZodPipe(auditQuery)) q: AuditQueryInput): Promise<{ items: ChainedAuditRecord[]; nextAfterSeq: number | null }> {
    const items = await this.log.search(toQuery(q));
    return { items, nextAfterSeq: items.length === q.limit ? items[items.length - 1]!.seq : null };
  }

  @Get('verify')
  verify(): Promise<AuditVerification> {
    return this.log.verify();
  }

  @Get('export')
  async export(@Query(new ZodPipe(auditQuery)) q: AuditQueryInput, @Res() res: HttpResponse): Promise<void> {
    const format = q.format ?? 'json';
    res.statusCode = 200;
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="flowforge-audit.${format}"`);
    const query = toQuery({ ...q, limit: EXPORT_PAGE });
    let first = true;
    res.write(format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '[');
    for (;;) {
      const page = await this.log.search(query);
      for (const e of page) {
        if (format === 'csv') res.write(`${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\n`);
        else res.write(`${first ? '' : ','}\n${JSON.stringify(e)}`);
        first = false;
      }
      if (page.length < EXPORT_PAGE || res.destroyed) break;
      query.afterSeq = page[page.length - 1]!.seq;
    }
    res.end(format === 'csv' ? '' : '\n]\n');
  }
}
