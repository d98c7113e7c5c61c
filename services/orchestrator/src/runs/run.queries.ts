import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { runNotFound } from './run.errors';
import { runView, type RunView } from './run.views';
import { RunStepStore } from './run-step.store';
import { RunStore, type RunFilter } from './run.store';

/** Reads for the internal API (no locks: a snapshot per statement is what a reader wants). */
@Injectable()
export class RunQueries {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
  ) {}

  async get(id: string): Promise<RunView> {
    const run = await this.runs.find(this.pool, id);
    if (!run) throw runNotFound(id);
    const [steps, attempts] = await Promise.all([this.steps.ofRun(this.pool, id), this.steps.attemptsOf(this.pool, id)]);
    return runView(run, steps, attempts);
  }

  async list(filter: RunFilter): Promise<{ items: RunView[]; nextCursor: string | null }> {
    const runs = await this.runs.list(this.pool, filter);
    return { items: runs.map((r) => runView(r)), nextCursor: runs.length === filter.limit ? runs[runs.length - 1]!.seq : null };
  }
}
