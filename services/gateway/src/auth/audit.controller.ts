import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiZodQuery, auditQuery } from '@flowforge/http';
import { ZodCheckPipe, type HttpResponse } from '@flowforge/service-kit';
import { ApiJson, listOf, schemas, str } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { RequirePermission } from './route-access';

/** The hash-chained audit log. */
@ApiTags('audit')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly auth: AuthClient) {}

  @Get('entries')
  @RequirePermission('audit:view')
  @ApiZodQuery(auditQuery)
  @ApiOperation({ summary: 'Search the audit log', description: 'Oldest first, paged by `afterSeq` (`nextAfterSeq` in the answer).' })
  @ApiJson(200, {
    type: 'object',
    properties: { items: listOf(schemas.auditEntry), nextAfterSeq: { type: 'integer', nullable: true } },
    required: ['items', 'nextAfterSeq'],
  })
  entries(@Query(new ZodCheckPipe(auditQuery)) query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/entries', query }, req, res);
  }

  @Get('export')
  @RequirePermission('audit:export')
  @ApiZodQuery(auditQuery)
  @ApiOperation({
    summary: 'Export the audit log',
    description: 'Every matching entry, streamed, as a JSON array or CSV (with the chain hashes, so a copy can be verified).',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, description: 'The entries', schema: { type: 'string' } })
  export(@Query(new ZodCheckPipe(auditQuery)) query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/export', query }, req, res);
  }

  @Get('verify')
  @RequirePermission('audit:view')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description:
      "Recomputes every entry's hash from the first; `brokenAt` names the first entry edited, deleted or reordered. `flowforge audit verify` does the same on the client.",
  })
  @ApiJson(200, {
    type: 'object',
    properties: {
      ok: { type: 'boolean' },
      checked: { type: 'integer' },
      lastSeq: { type: 'integer', nullable: true },
      brokenAt: { type: 'object', nullable: true, properties: { seq: { type: 'integer' }, reason: str, message: str } },
    },
  })
  verify(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/verify' }, req, res);
  }
}
