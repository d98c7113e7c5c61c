import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { AuditRecorded, type AuditRecordedEvent } from '@flowforge/contracts';
import type { AuditRecord } from '@flowforge/access';
import { AuditLog, type NewAuditRecord } from './audit.log';

const ACTOR_TYPES: readonly AuditRecord['actorType'][] = ['user', 'token', 'system', 'anonymous'];
const OUTCOMES: readonly AuditRecord['outcome'][] = ['success', 'denied', 'error'];

/** An event as the entry the chain hashes. Unknown actor types and outcomes are kept legible, not dropped. */
export function auditRecordOf(e: AuditRecordedEvent): NewAuditRecord {
  let changes: unknown = null;
  if (e.diff !== null) {
    try {
      changes = JSON.parse(e.diff) as unknown;
    } catch {
      changes = { unparsed: e.diff };
    }
  }
  const actorType = (e.actorType ?? 'user') as AuditRecord['actorType'];
  const outcome = e.outcome as AuditRecord['outcome'];
  return {
    id: e.eventId,
    at: new Date(e.occurredAt).toISOString(),
    service: e.producer,
    actorType: ACTOR_TYPES.includes(actorType) ? actorType : 'anonymous',
    actorId: e.actor,
    actorName: e.actorName,
    action: e.action,
    resourceType: e.resourceType || null,
    resourceId: e.resourceId,
    outcome: OUTCOMES.includes(outcome) ? outcome : 'error',
    status: e.httpStatus,
    ip: e.ip,
    userAgent: e.userAgent,
    traceId: e.traceId,
    changes,
  };
}

/**
 * Every service's audit.recorded events, appended to the chain in the handler's transaction (group
 * `auth`): the inbox row, the entry and the consumer offset commit together, and a redelivered event is
 * not appended twice.
 */
@Controller()
export class AuditRecordedHandler {
  constructor(private readonly log: AuditLog) {}

  @OnEvent(AuditRecorded, { group: 'auth', maxAttempts: 20, backoffMs: 100 })
  async onAuditRecorded(@Payload() e: AuditRecordedEvent, @Ctx() ctx: BusContext): Promise<void> {
    await this.log.append(ctx.getTx(), [auditRecordOf(e)]);
  }
}
