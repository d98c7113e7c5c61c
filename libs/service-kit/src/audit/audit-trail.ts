import { Inject, Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { actorFromHeaders, AUDIT_FIELD_LIMITS as L, diffChanges, storableJson, storableNullableText, storableText, type Actor } from '@flowforge/access';
import type { EventBus } from '@flowforge/bus';
import { AuditRecorded } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { redactDeep } from '../logging/redact';
import { currentTraceId } from '../tracing/tracing';
import { EVENT_BUS, HOST_RUNTIME } from '../tokens';
import type { HostRuntime } from '../bootstrap/host-runtime';

/** The caller of the internal request being handled, as the gateway forwarded it (actor headers). */
const requestActor = new AsyncLocalStorage<Actor>();

/**
 * Express middleware after the internal-token guard: the actor headers of an internal call (only the
 * gateway and peers holding the token can send them) become the request's actor for `AuditTrail`.
 */
export function actorContext() {
  return (req: HttpRequest, _res: HttpResponse, next: () => void): void => {
    if (!(req.url ?? '').toLowerCase().startsWith('/internal/')) return next();
    requestActor.run(actorFromHeaders(req.headers), next);
  };
}

export interface AuditEntryInput {
  actor: Actor;
  action: string;
  resourceType: string | null;
  resourceId?: string | null;
  outcome: 'success' | 'denied' | 'error';
  httpStatus?: number | null;
  /** Before/after, the request, or any detail; redacted on the way out. */
  changes?: unknown;
}

export interface AuditedChange {
  /** The permission exercised, e.g. `settings:manage-connections`, or `<resource>:<verb>`. */
  action: string;
  resourceType: string;
  resourceId: string;
  /** null for a creation. */
  before: unknown;
  /** null for a deletion. */
  after: unknown;
}

/**
 * A service's record of a change it made, with before/after: published as audit.recorded in the
 * transaction that makes the change, so the entry exists exactly when the change does. The actor is
 * the caller of the internal request (the user behind the gateway), or the service itself for work
 * of its own. The diff keeps changed keys only; secret-looking keys are redacted at any depth.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
  ) {}

  /** The actor of the request being handled (or null outside one). */
  currentActor(): Actor | null {
    return requestActor.getStore() ?? null;
  }

  /** A change made by this service in `tx`, by the request's actor (or the service itself), with its before/after diff. */
  async change(tx: Queryable, service: string, change: AuditedChange): Promise<void> {
    const actor = requestActor.getStore() ?? { type: 'system', id: service, name: service, userId: null, sessionId: null, ip: null, userAgent: null };
    await this.record(
      {
        actor,
        action: change.action,
        resourceType: change.resourceType,
        resourceId: change.resourceId,
        outcome: 'success',
        changes: diffChanges(change.before, change.after),
      },
      tx,
    );
  }

  /**
   * Any audit entry: in `tx` when given (the entry exists iff the transaction commits), else on its own.
   * `changes` is redacted here (secret-looking keys at any depth), whatever the caller passed. Every
   * value is made storable here (NUL escaped, lone surrogates replaced, long values bounded: see
   * libs/access/src/audit/audit-storable.ts), so a request path or header can never make the audit log
   * refuse the entry. Keyed by actor (auditStreamKey), not one key for all.
   */
  async record(entry: AuditEntryInput, tx?: Queryable): Promise<void> {
    const { actor } = entry;
    await this.bus.publish(
      AuditRecorded,
      {
        actor: storableText(String(actor.id), L.actorId),
        actorType: storableText(String(actor.type), L.actorId),
        actorName: storableNullableText(actor.name, L.actorName),
        action: storableText(entry.action, L.action),
        resourceType: storableText(entry.resourceType ?? '', L.resourceType),
        resourceId: storableNullableText(entry.resourceId, L.resourceId),
        outcome: entry.outcome,
        httpStatus: Number.isInteger(entry.httpStatus) ? entry.httpStatus! : null,
        ip: storableNullableText(actor.ip, L.ip),
        userAgent: storableNullableText(actor.userAgent, L.userAgent),
        traceId: storableNullableText(currentTraceId(), L.traceId),
        // Redacted before it is bounded, so bounding (keys cut, items dropped) can never hide a secret key from redaction.
        diff: entry.changes === undefined ? null : JSON.stringify(storableJson(redactDeep(entry.changes))),
      },
      { key: auditStreamKey(actor), tx },
    );
  }

  get host(): string {
    return this.runtime.host;
  }
}

/**
 * The bus key of an actor's audit entries: one actor's entries stay in order, different actors (and
 * anonymous callers from different addresses) spread over the topic's partitions, so one entry the
 * writer is stuck on holds up its own key's partition, not the whole platform's audit stream. The auth
 * service appends under one lock whatever the partition, so the hash chain stays one gapless chain.
 */
export function auditStreamKey(actor: Pick<Actor, 'type' | 'id' | 'ip'>): string {
  const who = actor.type === 'anonymous' ? `anonymous:${actor.ip ?? ''}` : `${actor.type}:${actor.id}`;
  return storableText(who, 200);
}
