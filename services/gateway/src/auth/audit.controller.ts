import { applyDecorators, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from '@flowforge/service-kit';
import { ApiProblem } from '../openapi/problem.dto';
import { ApiJson, listOf, schemas, str } from './auth-api.docs';
import { AuthClient } from './auth.client';
import type { AuthenticatedRequest } from './principal';
import { RequirePermission } from './route-access';

const auditFilters = [
  ApiQuery({ name: 'actor', required: false, description: 'user id, token id, or username' }),
  ApiQuery({ name: 'action', required: false, description: 'e.g. workflow:edit, or a prefix ending in * (auth:*)' }),
  ApiQuery({ name: 'resourceType', required: false }),
  ApiQuery({ name: 'resourceId', required: false }),
  ApiQuery({ name: 'outcome', required: false, enum: ['success', 'denied', 'error'] }),
  ApiQuery({ name: 'since', required: false, description: 'ISO 8601 date-time, inclusive' }),
  ApiQuery({ name: 'until', required: false, description: 'ISO 8601 date-time, exclusive' }),
  ApiQuery({ name: 'afterSeq', required: false, type: Number, description: 'page after this sequence number' }),
  ApiQuery({ name: 'limit', required: false, type: Number, description: '1-1000, default 100' }),
];

/** The hash-chained audit log. */
@ApiTags('audit')
@ApiProblem(400, 'Invalid input; `errors` names each field')
@ApiProblem(502, 'FF_AUTH_UNREACHABLE: the auth service did not answer')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly auth: AuthClient) {}

  @Get('entries')
  @RequirePermission('audit:view')
  @applyDecorators(...auditFilters)
  @ApiOperation({ summary: 'Search the audit log', description: 'Oldest first, paged by `afterSeq` (`nextAfterSeq` in the answer).' })
  @ApiJson(200, { type: 'object', properties: { items: listOf(schemas.auditEntry), nextAfterSeq: { type: 'integer', nullable: true } }, required: ['items', 'nextAfterSeq'] })
  entries(@Query() query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/entries', query }, req, res);
  }

  @Get('export')
  @RequirePermission('audit:export')
  @applyDecorators(...auditFilters)
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiOperation({ summary: 'Export the audit log', description: 'Every matching entry, streamed, as a JSON array or CSV (with the chain hashes, so a copy can be verified).' })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, description: 'The entries', schema: { type: 'string' } })
  export(@Query() query: Record<string, string>, @Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    return this.auth.forward({ method: 'GET', path: '/audit/export', query }, req, res);
  }

  @Get('verify')
  @RequirePermission('audit:view')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description: 'Recomputes every entry\'s hash from the first; `brokenAt` names the first entry edited, deleted or reordered. `flowforge audit verify` does the same on the client.',
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
