import { Inject, Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { serviceConfigToken } from '@flowforge/service-kit';
import type { WorkflowSpec } from '@flowforge/workflow';
import type { OrchestratorConfig } from '../orchestrator.config';
import { RunEngine } from './run.engine';
import type { RunScope } from './run.scope';
import { RunScopes } from './run.scopes';
import { RunStore } from './run.store';

const GLOBAL_LOCK = 'ff-orchestrator:admission';
const workflowLock = (name: string): string => `ff-orchestrator:workflow-runs:${name}`;

/** How many runs of the workflow may run at once: maxRuns, else unlimited for `allow` and one otherwise. */
export function runLimit(spec: WorkflowSpec): number {
  return spec.concurrency.maxRuns ?? (spec.concurrency.overlap === 'allow' ? Number.POSITIVE_INFINITY : 1);
}

/**
 * Decides when a queued run starts: the workflow's concurrency (maxRuns, overlap policy) and the
 * global FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS. Admission of one workflow is serialised by a
 * transaction-scoped advisory lock on its name, so two replicas never both take the last slot.
 *
 * Overlap policies, when the workflow already has `limit` active (queued or running) runs:
 * - allow / queue: the new run waits in queued (FIFO) until a slot frees;
 * - skip: the new run is cancelled at once, with the reason;
 * - cancel_running: the oldest active runs are cancelled to make room, then the new run starts.
 * Lock order: workflow lock, then run rows (several in id order), then the global lock — and holders
 * of a run lock only ever *try* the workflow lock (promote), so admission cannot deadlock with the step
 * handlers.
 */
@Injectable()
export class RunAdmission {
  constructor(
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    private readonly runs: RunStore,
    private readonly scopes: RunScopes,
    private readonly engine: RunEngine,
  ) {}

  /** A run just created (queued, locked by this transaction). */
  async admit(scope: RunScope): Promise<void> {
    const { tx, run } = scope;
    const limit = runLimit(run.spec);
    if (limit === Number.POSITIVE_INFINITY) {
      // No slot to count against, so no lock: concurrent runs of an unlimited workflow (the common case
      // for event-driven work) must not queue behind each other's transactions. FIFO still holds: a run
      // queued by an older version's limit or the global one goes first.
      if (await this.runs.hasQueued(tx, run.workflowName, run.id)) return;
      if (!(await this.globalSlotFree(tx))) return;
      await this.engine.start(scope, null);
      return;
    }
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [workflowLock(run.workflowName)]);
    const others = await this.runs.activeOf(tx, run.workflowName, run.id);
    const overlap = run.spec.concurrency.overlap;
    if (others.length >= limit) {
      const busy = `workflow "${run.workflowName}" already has ${others.length} active run(s) (maxRuns ${limit === Infinity ? 'unlimited' : limit})`;
      switch (overlap) {
        case 'skip':
          await this.engine.cancel(scope, `FF_RUN_SKIPPED: ${busy}; overlap policy skip`);
          return;
        case 'cancel_running':
          // Victims locked in id order, like a batch of step events locks its runs (no deadlock with one).
          for (const other of others.slice(0, others.length - limit + 1).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
            const victim = await this.scopes.open(tx, other.id);
            if (victim) await this.engine.cancel(victim, `FF_RUN_SUPERSEDED: cancelled for run ${run.id} (overlap policy cancel_running)`);
          }
          break;
        case 'allow':
        case 'queue':
          return; // waits in queued; promote() starts it when a slot frees
      }
    } else if (others.some((o) => o.state === 'queued')) {
      return; // first in, first out: older queued runs go first
    }
    if (!(await this.globalSlotFree(tx))) return;
    await this.engine.start(scope, null);
  }

  /**
   * Starts queued runs of a workflow while it has free slots (oldest first). Only *tries* the
   * workflow's lock: when another transaction is admitting runs of this workflow, it (or the next
   * sweep) does the promoting, and a caller holding a run lock never waits here.
   */
  async promote(tx: Queryable, workflowName: string): Promise<number> {
    // The common case — nothing waits — costs one cheap read, not the lock and a locking scan.
    if (!(await this.runs.hasQueued(tx, workflowName))) return 0;
    const { rows } = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [workflowLock(workflowName)]);
    if (!rows[0]?.ok) return 0;
    let started = 0;
    for (;;) {
      const next = await this.runs.nextQueued(tx, workflowName);
      if (!next) return started;
      const running = await this.runs.countRunning(tx, workflowName);
      if (running >= runLimit(next.run.spec)) return started;
      if (!(await this.globalSlotFree(tx))) return started;
      await this.engine.start(await this.scopes.of(tx, next), `a slot of workflow "${workflowName}" freed up`);
      started++;
    }
  }

  /** After a run finished in this transaction: its slot may start the next queued run. */
  async afterChange(scope: RunScope): Promise<void> {
    if (scope.finished) await this.promote(scope.tx, scope.run.workflowName);
  }

  private async globalSlotFree(tx: Queryable): Promise<boolean> {
    const max = this.config.FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS;
    if (max === 0) return true;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [GLOBAL_LOCK]);
    return (await this.runs.countRunning(tx)) < max;
  }
}
