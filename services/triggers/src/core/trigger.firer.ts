import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { EventBus } from '@flowforge/bus';
import { RunRequested } from '@flowforge/contracts';
import { withTransaction, type Queryable } from '@flowforge/db';
import { EVENT_BUS, LOGGER, servicePoolToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { EVENT_SOURCES, type EventSource, type FireOutcome, type SourceEvent, type TriggerSpec } from './event-source';
import { mapParams } from './param-mapping';
import { TriggerStore } from './trigger.store';

/** A trigger as the firer needs it: what its source sees, and its parameter mapping. */
export interface FiringTrigger extends TriggerSpec<Record<string, unknown>> {
  params: Record<string, string>;
}

/** What an event would do, without doing it (`test`, and the first half of a firing). */
export interface Evaluation {
  matched: boolean;
  reason: string;
  params: Record<string, string> | null;
}

/** `requestedBy` of the runs a trigger starts. */
export const triggerPrincipal = (id: string): string => `trigger:${id}`;

/**
 * The one way an event becomes a run (docs: services/triggers/README.md, Firing): in one transaction the
 * dedup key is claimed, the source's filter and the parameter mapping are applied, the firing is
 * recorded and — when it matched — RunRequested is published with a fresh run id, so the firing and the
 * request exist together or not at all. A redelivered event (same dedup key) finds the first firing and
 * starts nothing.
 */
@Injectable()
export class TriggerFirer {
  private readonly sources: Map<string, EventSource>;

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENT_SOURCES) sources: EventSource[],
    private readonly store: TriggerStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {
    this.sources = new Map(sources.map((s) => [s.type, s]));
  }

  evaluate(trigger: FiringTrigger, event: SourceEvent): Evaluation {
    const source = this.sources.get(trigger.type);
    const match = source?.match ? source.match(trigger.config, event) : { matched: true, reason: 'matched (no filter)' };
    if (!match.matched) return { matched: false, reason: match.reason, params: null };
    const mapped = mapParams(trigger.params, event);
    if (!mapped.ok) return { matched: false, reason: mapped.reason, params: null };
    return { matched: true, reason: match.reason, params: mapped.params };
  }

  async fire(trigger: FiringTrigger, event: SourceEvent): Promise<FireOutcome> {
    const outcome = await withTransaction(this.pool, (tx) => this.fireIn(tx, trigger, event));
    this.logger.info(
      { module: 'triggers', triggerId: trigger.id, trigger: trigger.name, firingId: outcome.firingId, matched: outcome.matched, runId: outcome.runId },
      outcome.runId ? `trigger ${trigger.name} fired: run ${outcome.runId} requested` : `trigger ${trigger.name} did not fire: ${outcome.reason}`,
    );
    return outcome;
  }

  private async fireIn(tx: Queryable, trigger: FiringTrigger, event: SourceEvent): Promise<FireOutcome> {
    const dedupKey = event.dedupKey ?? null;
    // No look-up first: the insert claims the dedup key (UNIQUE), and a duplicate finds the first firing after it.
    const evaluation = this.evaluate(trigger, event);
    const runId = evaluation.matched ? randomUUID() : null;
    const firing = await this.store.insertFiring(tx, {
      id: randomUUID(),
      triggerId: trigger.id,
      payloadDigest: createHash('sha256').update(JSON.stringify(event.payload)).digest('hex'),
      dedupKey,
      matched: evaluation.matched,
      reason: evaluation.reason,
      params: evaluation.params,
      runId,
    });
    if (!firing) {
      // A delivery of the same event (earlier, or concurrent and committed first) is the firing.
      const earlier = await this.store.firingByKey(tx, trigger.id, dedupKey!);
      return duplicateOf(earlier?.id ?? 'an earlier firing');
    }
    if (runId) {
      await this.bus.publish(
        RunRequested,
        {
          runId,
          workflowId: trigger.workflow,
          workflowVersion: null,
          params: evaluation.params!,
          idempotencyKey: null,
          requestedBy: triggerPrincipal(trigger.id),
        },
        { key: runId, tx },
      );
    }
    return { firingId: firing.id, matched: evaluation.matched, reason: evaluation.reason, runId };
  }
}

function duplicateOf(firingId: string): FireOutcome {
  return { firingId, matched: false, reason: `duplicate of ${firingId}`, runId: null };
}
