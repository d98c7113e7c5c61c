import { Inject, Injectable } from '@nestjs/common';
import { accessLabel, type RouteAccess } from '@flowforge/access';
import { AuditTrail, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { actorOf, type AuthenticatedRequest } from './principal';

export interface AuditedCall {
  access: RouteAccess;
  /** `PUT /api/v1/workflows/:name` */
  route: string;
  status: number;
  resourceId: string | null;
  body: unknown;
}

/** The resource a permission names (`workflow:edit` → workflow); auth routes name their own. */
function resourceOf(access: RouteAccess, route: string): string {
  if (access.kind === 'permission') return access.permission.split(':')[0]!;
  return /\/api\/v1\/([a-z-]+)/.exec(route)?.[1] ?? 'api';
}

/**
 * Publishes the gateway's audit.recorded entries: every mutating call and every download (who, which
 * permission, which resource, the answer, which fields the request set — names only: the gateway cannot
 * tell which values are secret (an HTTP connection's header values are), the owning service records the
 * change itself with its before/after) and every refusal.
 * Best effort after the answer: the bus's outbox makes a published entry durable; a failure to publish
 * is logged loudly and does not change the answer the client already has.
 */
@Injectable()
export class AuditRecorder {
  constructor(
    private readonly trail: AuditTrail,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  record(req: AuthenticatedRequest, call: AuditedCall): void {
    const failed = (err: unknown) =>
      this.logger.error({ err, route: call.route }, `FF_AUDIT_PUBLISH_FAILED: audit entry for ${call.route} (${accessLabel(call.access)}) not recorded`);
    // Called from a response `finish` listener: a synchronous throw here would be an uncaught exception.
    try {
      const outcome = call.status === 401 || call.status === 403 ? 'denied' : call.status >= 400 ? 'error' : 'success';
      const resourceType = resourceOf(call.access, call.route);
      this.trail
        .record({
          actor: actorOf(req),
          action: call.access.kind === 'permission' ? call.access.permission : `${resourceType}:${(req.method ?? 'GET').toLowerCase()}`,
          resourceType,
          resourceId: call.resourceId,
          outcome,
          httpStatus: call.status,
          changes: { route: call.route, fields: fieldsOf(call.body) },
        })
        .catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  denied(req: AuthenticatedRequest, access: RouteAccess, status: number): void {
    this.record(req, { access, route: `${req.method} ${req.route?.path ?? req.url}`, status, resourceId: resourceIdOf(req), body: undefined });
  }
}

/** Field names an audit entry lists at most: a body of thousands of keys makes one bounded entry. */
export const MAX_AUDITED_FIELDS = 200;
/** Nesting an audited field name shows at most; deeper fields are named by their ancestor at this depth. */
const MAX_AUDITED_DEPTH = 16;

/**
 * The dot paths of a JSON body's leaves, without their values (arrays count as leaves), in body order.
 * Iterative and bounded (it runs in a response `finish` listener, where a throw kills the process): at
 * most MAX_AUDITED_FIELDS paths, then one `…` entry; objects below MAX_AUDITED_DEPTH count as leaves.
 */
export function fieldsOf(body: unknown): string[] {
  const out: string[] = [];
  const stack: [unknown, string, number][] = [[body, '', 0]];
  while (stack.length) {
    const [value, prefix, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth >= MAX_AUDITED_DEPTH) {
      if (prefix) out.push(prefix);
    } else {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], prefix ? `${prefix}.${entries[i]![0]}` : entries[i]![0], depth + 1]);
    }
    if (out.length >= MAX_AUDITED_FIELDS) {
      if (stack.length) out.push('…');
      break;
    }
  }
  return out;
}

/** Longest resource id an audit entry keeps: a refused call can name anything in its path. */
const MAX_RESOURCE_ID = 200;

export function resourceIdOf(req: AuthenticatedRequest): string | null {
  const p = req.params ?? {};
  const id = p.id ?? p.name ?? p.runId ?? null;
  // Cut first: a cut through a surrogate pair leaves a lone half, which storable then escapes.
  return id === null ? null : storable(id.slice(0, MAX_RESOURCE_ID));
}

/**
 * A refused call's path parameter as text PostgreSQL stores: a NUL or a lone surrogate is written as
 * its `\u` escape (the guard refuses a call before the pipes that would reject those characters).
 */
function storable(text: string): string {
  return text.replace(
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
