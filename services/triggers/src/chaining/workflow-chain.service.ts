import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { SourceEvent } from '../core/event-source';
import { CHAINING_CLOCK, type ChainingClock } from './chaining.clock';
import type { ChainingConfig } from './chaining.config';
import { ChainWaitStore, type Arrival, type WaitRecord } from './chain-wait.store';
import { evaluateCondition } from './condition.parser';
import { OrchestratorRunsClient, type UpstreamRun } from './orchestrator-runs.client';
import { onMatches, TERMINAL_RUN_STATES } from './workflow-trigger.config';
import { WorkflowTriggerIndex, type IndexedTrigger } from './workflow-trigger.index';

/** Outputs of one upstream run larger than this (as JSON) are left out of the payload, with a note saying so. */
export const MAX_OUTPUTS_BYTES = 256 * 1024;

/** A run's state change as chaining needs it (the RunStateChanged fields). */
export interface RunEnded {
  runId: string;
  workflowId: string;
  to: string;
  reason: string | null;
}

/** The condition's view of one upstream run: `steps.<id>.outputs.<name>`, `steps.<id>.state`, `state`, `workflow`, `runId`. */
export function conditionContext(a: Pick<Arrival, 'runId' | 'workflow' | 'state' | 'outputs' | 'steps'>): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const id of new Set([...Object.keys(a.steps ?? {}), ...Object.keys(a.outputs ?? {})])) {
    steps[id] = { outputs: a.outputs?.[id] ?? {}, state: a.steps?.[id] ?? null };
  }
  return { steps, state: a.state, workflow: a.workflow, runId: a.runId };
}

/** Why a condition held or not, for the arrival's record and the firing's reason. */
export function conditionVerdict(t: Pick<IndexedTrigger, 'condition' | 'config'>, a: Arrival): { ok: boolean; reason: string } {
  if (!t.condition) return { ok: true, reason: 'no condition' };
  const r = evaluateCondition(t.condition, conditionContext(a));
  const what = `condition "${t.config.condition}" is ${r.value} for run ${a.runId} of ${a.workflow}`;
  return { ok: r.value, reason: r.seen ? `${what} (${r.seen})` : what };
}

/**
 * The heart of workflow chaining: what a terminal run of an upstream workflow does to each trigger that
 * follows it (README.md next to this file). Called by the bus handler inside its transaction (the
 * arrivals and waits it writes commit with the inbox row) and by the sweeper for windows that ran out.
 *
 * `emit` runs in the core's own transaction, before the caller's commits; should the caller then roll
 * back, the redelivered event emits again with the same dedupKey, which the core records as a duplicate:
 * one firing per upstream run (or per set of runs) whatever happens.
 */
@Injectable()
export class WorkflowChain {
  constructor(
    private readonly index: WorkflowTriggerIndex,
    private readonly store: ChainWaitStore,
    private readonly runs: OrchestratorRunsClient,
    @Inject(CHAINING_CLOCK) private readonly clock: ChainingClock,
    @Inject(serviceConfigToken('triggers')) private readonly config: ChainingConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async onRunEnded(tx: Queryable, e: RunEnded): Promise<void> {
    if (!(TERMINAL_RUN_STATES as readonly string[]).includes(e.to)) return;
    const triggers = this.index.following(e.workflowId).filter((t) => onMatches(t.config.on, e.to));
    if (triggers.length === 0) return;
    // Read once for every trigger, before any lock is taken.
    const arrival = toArrival(e, await this.runs.run(e.runId), this.clock.now());
    for (const t of triggers) {
      if (t.workflow === e.workflowId) {
        // start() refuses such a trigger; this only guards a registration made around it.
        this.logger.warn({ trigger: t.id, workflow: t.workflow }, `FF_TRIGGER_CHAIN_LOOP: trigger ${t.name} follows its own workflow; ignored`);
        continue;
      }
      if (!(await this.store.claimArrival(tx, t.id, arrival))) continue; // seen before: a redelivery or a re-publish
      const verdict = conditionVerdict(t, arrival);
      if (!verdict.ok) {
        await this.store.settleArrival(tx, t.id, arrival.runId, 'condition_false', `FF_TRIGGER_CONDITION_FALSE: ${verdict.reason}`);
        this.logger.info({ trigger: t.id, upstreamRunId: arrival.runId }, `trigger ${t.name}: ${verdict.reason}; nothing requested`);
        continue;
      }
      if (t.config.waitForAll) await this.arriveAtWait(tx, t, arrival);
      else await this.fireOne(tx, t, arrival);
    }
  }

  private async fireOne(tx: Queryable, t: IndexedTrigger, a: Arrival): Promise<void> {
    const depth = (await this.store.depthOf(tx, [a.runId])) + 1;
    if (depth > this.config.FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH) {
      await this.store.settleArrival(tx, t.id, a.runId, 'chain_too_deep', this.tooDeep(t, depth, [a]));
      return;
    }
    const outcome = await t.emit(this.event(t, [a], a, depth, null, `run:${a.runId}`));
    await this.store.settleArrival(tx, t.id, a.runId, outcome.matched ? 'fired' : 'not_matched', outcome.reason, {
      firingId: outcome.firingId,
      firedRunId: outcome.runId,
    });
    if (outcome.runId) await this.store.recordChainRun(tx, outcome.runId, depth, t.id);
  }

  private async arriveAtWait(tx: Queryable, t: IndexedTrigger, a: Arrival): Promise<void> {
    const now = this.clock.now();
    let w = await this.store.lockOpenWait(tx, t.id);
    if (w && w.deadlineAt.getTime() <= now.getTime()) {
      // The window ran out before the sweeper got to it: settle it as the sweeper would, then open the next.
      await this.settleTimedOut(tx, t, w, now);
      w = null;
    }
    if (!w) {
      const opened = { id: randomUUID(), triggerId: t.id, upstream: t.config.upstream, openedAt: now, deadlineAt: new Date(now.getTime() + t.config.windowMs) };
      w = (await this.store.openWait(tx, opened)) ?? (await this.store.lockOpenWait(tx, t.id));
      if (!w) throw new Error(`trigger ${t.id}: no open wait after opening one`); // cannot happen: the insert yielded to a committed open wait
    }
    const previous = w.arrivals[a.workflow];
    if (previous && previous.runId !== a.runId) {
      // A newer run of the same upstream within the window: the payload carries the newest.
      await this.store.settleArrival(tx, t.id, previous.runId, 'superseded', `run ${a.runId} of ${a.workflow} arrived later in the same window`);
    }
    const arrivals = { ...w.arrivals, [a.workflow]: a };
    await this.store.setArrivals(tx, w.id, arrivals);
    const missing = t.config.upstream.filter((u) => !arrivals[u]);
    await this.store.settleArrival(
      tx,
      t.id,
      a.runId,
      'waiting',
      missing.length ? `waiting for ${missing.join(', ')} until ${w.deadlineAt.toISOString()}` : null,
      {
        waitId: w.id,
      },
    );
    if (missing.length === 0) await this.fireWait(tx, t, { ...w, arrivals }, a, now, true);
  }

  /** A window that ran out: fire with what arrived or skip, per timeoutAction; recorded either way. */
  async settleTimedOut(tx: Queryable, t: IndexedTrigger, w: WaitRecord, now: Date): Promise<void> {
    const arrived = t.config.upstream.filter((u) => w.arrivals[u]);
    const missing = t.config.upstream.filter((u) => !w.arrivals[u]);
    const why = `FF_TRIGGER_WAIT_TIMEOUT: the window of ${t.config.windowMs} ms ended at ${w.deadlineAt.toISOString()} with ${arrived.join(', ') || 'nothing'} arrived; ${missing.join(', ')} missing`;
    if (t.config.timeoutAction === 'fire' && arrived.length > 0) {
      const last = Object.values(w.arrivals).sort((x, y) => (x.at < y.at ? 1 : -1))[0]!;
      await this.fireWait(tx, t, w, last, now, false, why);
      return;
    }
    await this.store.closeWait(tx, w.id, { state: 'timed_out_skipped', closedAt: now, reason: `${why}; timeoutAction skip` });
    await this.store.settleWaitArrivals(tx, w.id, 'wait_timed_out_skipped', `${why}; timeoutAction skip`, null, null);
    this.logger.info({ trigger: t.id, wait: w.id }, `trigger ${t.name}: ${why}; skipped`);
  }

  private async fireWait(tx: Queryable, t: IndexedTrigger, w: WaitRecord, last: Arrival, now: Date, complete: boolean, why?: string): Promise<void> {
    const arrivals = t.config.upstream.map((u) => w.arrivals[u]).filter((x): x is Arrival => x !== undefined);
    const runIds = arrivals.map((x) => x.runId).sort();
    const depth = (await this.store.depthOf(tx, runIds)) + 1;
    if (depth > this.config.FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH) {
      const reason = this.tooDeep(t, depth, arrivals);
      await this.store.closeWait(tx, w.id, { state: 'chain_too_deep', closedAt: now, reason });
      await this.store.settleWaitArrivals(tx, w.id, 'wait_chain_too_deep', reason, null, null);
      return;
    }
    const dedupKey = `runs:${createHash('sha256').update(runIds.join(',')).digest('hex')}${complete ? '' : ':partial'}`;
    const missing = t.config.upstream.filter((u) => !w.arrivals[u]);
    const outcome = await t.emit(this.event(t, arrivals, last, depth, { complete, missing, windowId: w.id }, dedupKey));
    const reason = complete ? outcome.reason : `${why}; timeoutAction fire: ${outcome.reason}`;
    await this.store.closeWait(tx, w.id, {
      state: complete ? 'fired' : 'timed_out_fired',
      closedAt: now,
      reason,
      dedupKey,
      firingId: outcome.firingId,
      firedRunId: outcome.runId,
    });
    await this.store.settleWaitArrivals(tx, w.id, complete ? 'wait_fired' : 'wait_timed_out_fired', reason, outcome.firingId, outcome.runId);
    if (outcome.runId) await this.store.recordChainRun(tx, outcome.runId, depth, t.id);
  }

  private tooDeep(t: IndexedTrigger, depth: number, arrivals: Arrival[]): string {
    const reason = `FF_TRIGGER_CHAIN_TOO_DEEP: a run of ${t.workflow} after ${arrivals.map((a) => `${a.workflow} (${a.runId})`).join(', ')} would be link ${depth} of a chain of workflow triggers; FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH is ${this.config.FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH} (a cycle of triggers?)`;
    this.logger.warn({ trigger: t.id, depth }, reason);
    return reason;
  }

  private event(
    t: IndexedTrigger,
    arrivals: Arrival[],
    last: Arrival,
    depth: number,
    wait: { complete: boolean; missing: string[]; windowId: string } | null,
    dedupKey: string,
  ): SourceEvent {
    const upstream: Record<string, unknown> = {};
    for (const a of arrivals) {
      upstream[a.workflow] = {
        runId: a.runId,
        state: a.state,
        reason: a.reason,
        outputs: a.outputs,
        steps: a.steps,
        ...(a.outputsOmitted ? { outputsOmitted: a.outputsOmitted } : {}),
      };
    }
    const payload: Record<string, unknown> = { upstream, runId: last.runId, workflow: last.workflow, state: last.state, chain: { depth } };
    if (wait) payload.wait = wait;
    return {
      payload,
      dedupKey,
      meta: { upstreamWorkflow: last.workflow, upstreamRunId: last.runId, upstreamState: last.state, trigger: t.id },
    };
  }
}

/** The upstream run as chaining keeps it, from the event and the orchestrator's answer (null: a run it never created). */
export function toArrival(e: RunEnded, run: UpstreamRun | null, now: Date): Arrival {
  const outputs: Record<string, Record<string, unknown>> = {};
  const steps: Record<string, string> = {};
  for (const s of run?.steps ?? []) {
    steps[s.stepId] = s.state;
    outputs[s.stepId] = s.outputs ?? {};
  }
  const arrival: Arrival = { runId: e.runId, workflow: e.workflowId, state: e.to, reason: e.reason, outputs, steps, at: now.toISOString() };
  const size = Buffer.byteLength(JSON.stringify(outputs));
  if (size > MAX_OUTPUTS_BYTES) {
    arrival.outputs = {};
    arrival.outputsOmitted = `the outputs of run ${e.runId} are ${size} bytes as JSON, more than ${MAX_OUTPUTS_BYTES}; read them from the run`;
  }
  return arrival;
}
