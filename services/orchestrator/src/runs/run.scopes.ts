import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunStore, type LockedRun } from './run.store';

/** Opens a RunScope: locks the run row, then reads its steps (always in that order: no deadlocks). */
@Injectable()
export class RunScopes {
  constructor(
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
  ) {}

  /** Waits for the run's lock; null when the run does not exist. */
  async open(tx: Queryable, runId: string): Promise<RunScope | null> {
    const locked = await this.runs.lock(tx, runId);
    return locked ? this.of(tx, locked) : null;
  }

  /** null when the run does not exist or another transaction holds it. */
  async tryOpen(tx: Queryable, runId: string): Promise<RunScope | null> {
    const locked = await this.runs.tryLock(tx, runId);
    return locked ? this.of(tx, locked) : null;
  }

  async of(tx: Queryable, locked: LockedRun): Promise<RunScope> {
    return new RunScope(tx, locked.now, locked.run, await this.steps.ofRun(tx, locked.run.id));
  }
}
