import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@flowforge/access';
import type { EventBus } from '@flowforge/bus';
import { AuditRecorded } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { currentTraceId, EVENT_BUS, redactDeep } from '@flowforge/service-kit';

export interface AuditInput {
  actor: Actor;
  action: string;
  resourceType: string | null;
  resourceId?: string | null;
  outcome: 'success' | 'denied' | 'error';
  httpStatus?: number | null;
  /** Before/after or request; secrets are redacted here, whatever the caller passed. */
  changes?: unknown;
}

/**
 * The auth service's own audit entries (logins, logouts, user and role changes), published as
 * audit.recorded like every other service's: in the caller's transaction when there is one, so the
 * entry exists exactly when the change does.
 */
@Injectable()
export class AuditEmitter {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  async record(input: AuditInput, tx?: Queryable): Promise<void> {
    await this.bus.publish(
      AuditRecorded,
      {
        actor: input.actor.id,
        actorType: input.actor.type,
        actorName: input.actor.name,
        action: input.action,
        resourceType: input.resourceType ?? '',
        resourceId: input.resourceId ?? null,
        outcome: input.outcome,
        httpStatus: input.httpStatus ?? null,
        ip: input.actor.ip,
        userAgent: input.actor.userAgent,
        traceId: currentTraceId() ?? null,
        diff: input.changes === undefined ? null : JSON.stringify(redactDeep(input.changes)),
      },
      { key: 'audit', tx },
    );
  }
}
