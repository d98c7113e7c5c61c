import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteAccess } from '@flowforge/access';
import type { HttpResponse } from '@flowforge/service-kit';
import type { Observable } from 'rxjs';
import { AuditRecorder, resourceIdOf } from './audit.recorder';
import type { AuthenticatedRequest } from './principal';
import { ROUTE_ACCESS, SELF_AUDITED } from './route-access';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Reads that are audited too: data leaving the platform. */
const AUDITED_READS = new Set(['asset:download', 'audit:export']);

/**
 * Audits every mutating /api call and every download once its answer is sent — whatever the outcome,
 * because a failed or refused attempt matters as much as a done one. Routes whose upstream audits
 * itself (identity routes, with before/after) are skipped here.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: AuditRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    const self = this.reflector.getAllAndOverride<boolean | undefined>(SELF_AUDITED, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const audited = access && !self && (MUTATING.has(req.method ?? '') || (access.kind === 'permission' && AUDITED_READS.has(access.permission)));
    if (audited) {
      const res = context.switchToHttp().getResponse<HttpResponse>();
      res.once('finish', () =>
        this.recorder.record(req, {
          access,
          route: `${req.method} ${req.baseUrl ?? ''}${req.route?.path ?? req.url}`,
          status: res.statusCode,
          resourceId: resourceIdOf(req),
          body: req.body && typeof req.body === 'object' && Object.keys(req.body).length ? req.body : undefined,
        }),
      );
    }
    return next.handle();
  }
}
