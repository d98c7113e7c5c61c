import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { BusContext, OnEvent } from '@flowforge/bus';
import { AuditRecorded, type AuditRecordedEvent } from '@flowforge/contracts';
import { storableAuditRecord, storableJson, storableNullableText, storableText, type AuditRecord } from '@flowforge/access';
import type { Queryable } from '@flowforge/db';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { AuditLog, type NewAuditRecord } from './audit.log';

const ACTOR_TYPES: readonly AuditRecord['actorType'][] = ['user', 'token', 'system', 'anonymous'];
const OUTCOMES: readonly AuditRecord['outcome'][] = ['success', 'denied', 'error'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The action of the entry written in place of one the log could not store. */
export const UNSTORABLE_ENTRY_ACTION = 'audit:entry-unstorable';

/** An event as the entry the chain hashes (AuditLog.append makes its values storable). Unknown actor types and outcomes are kept legible, not dropped. */
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
 * What is written when an event cannot be stored even made storable (e.g. a date PostgreSQL cannot hold):
 * an entry of its own, in the same place of the chain, saying which event and why, with the event's
 * fields bounded small. It keeps the event's id, so a redelivery is skipped like any stored entry.
 */
export function unstorableEntryOf(e: AuditRecordedEvent, error: unknown): NewAuditRecord {
  const short = (v: unknown): string | null => storableNullableText(v === null || v === undefined ? null : String(v), 256);
  return storableAuditRecord({
    id: typeof e.eventId === 'string' && UUID_RE.test(e.eventId) ? e.eventId : randomUUID(),
    at: new Date().toISOString(),
    service: 'auth',
    actorType: 'system',
    actorId: 'auth',
    actorName: 'auth',
    action: UNSTORABLE_ENTRY_ACTION,
    resourceType: 'audit-entry',
    resourceId: short(e.eventId),
    outcome: 'error',
    status: null,
    ip: null,
    userAgent: null,
    traceId: short(e.traceId),
    changes: storableJson({
      error: { code: short((error as { code?: unknown } | null)?.code ?? null), message: short(error instanceof Error ? error.message : error) },
      event: {
        producer: short(e.producer),
        occurredAt: short(e.occurredAt),
        actorType: short(e.actorType),
        actor: short(e.actor),
        actorName: short(e.actorName),
        action: short(e.action),
        resourceType: short(e.resourceType),
        resourceId: short(e.resourceId),
        outcome: short(e.outcome),
        httpStatus: short(e.httpStatus),
      },
    }),
  });
}

/**
 * PostgreSQL refused the values themselves (data exception, integrity, program limit such as an index
 * row too large), or the entry could not even be built (an invalid date): retrying cannot help.
 * Anything else (connection, lock, resources) is thrown, for the bus to retry.
 */
function refusedForItsValues(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code))
    return !(err instanceof Error && /ECONN|ETIMEDOUT|EPIPE|Connection terminated/i.test(err.message));
  // 23505 (unique) is a race with another writer of the same entry: a retry finds it stored and skips it.
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code.startsWith('54');
}

/**
 * Every service's audit.recorded events, appended to the chain in the handler's transaction (group
 * `auth`): the inbox row, the entry and the consumer offset commit together, and a redelivered event is
 * not appended twice. Events come keyed by actor over every partition; AuditLog.append takes the chain
 * lock, so the entries still form one gapless chain. An event whose entry cannot be stored is replaced by
 * an `audit:entry-unstorable` entry and logged (FF_AUDIT_ENTRY_UNSTORABLE): it never holds up later ones.
 */
@Controller()
export class AuditRecordedHandler {
  constructor(
    private readonly log: AuditLog,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  @OnEvent(AuditRecorded, { group: 'auth', maxAttempts: 20, backoffMs: 100 })
  async onAuditRecorded(@Payload() e: AuditRecordedEvent, @Ctx() ctx: BusContext): Promise<void> {
    await this.appendOrPlaceholder(ctx.getTx(), e);
  }

  /** Appends the event's entry, or (PostgreSQL refused its values) the placeholder saying so. */
  async appendOrPlaceholder(tx: Queryable, e: AuditRecordedEvent): Promise<void> {
    // A savepoint: a refused INSERT must not abort the bus's transaction (other events of its batch, the inbox row).
    await tx.query('SAVEPOINT ff_audit_entry');
    let failure: unknown;
    try {
      await this.log.append(tx, [auditRecordOf(e)]);
      await tx.query('RELEASE SAVEPOINT ff_audit_entry');
      return;
    } catch (err) {
      if (!refusedForItsValues(err)) throw err;
      failure = err;
      await tx.query('ROLLBACK TO SAVEPOINT ff_audit_entry');
      this.logger.error(
        { err, eventId: e.eventId, producer: e.producer, action: storableText(String(e.action), 256) },
        `FF_AUDIT_ENTRY_UNSTORABLE: audit event ${e.eventId} from ${e.producer} could not be stored as it is; an ${UNSTORABLE_ENTRY_ACTION} entry records it in its place`,
      );
    }
    await this.log.append(tx, [unstorableEntryOf(e, failure)]);
    await tx.query('RELEASE SAVEPOINT ff_audit_entry');
  }
}
