import { formatBytes } from './byte-progress';
import type { RunChangeEventDto, RunDto, StepChangeEventDto, StepProgressDto, StepProgressEventDto } from '@flowforge/contracts/http-api';

/** One step as a watcher knows it, from the snapshot and the state changes since. */
export interface StepStatus {
  stepId: string;
  state: string;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  /** What the executor last reported for the current attempt (percent, counters); null before any. */
  progress: StepProgressDto | null;
}

export interface RunStatus {
  id: string;
  workflow: string;
  workflowVersion: number;
  state: string;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const FINAL_STEP_STATES = new Set(['succeeded', 'failed', 'skipped', 'upstream_failed', 'cancelled', 'timed_out']);
export const isFinalStepState = (state: string): boolean => FINAL_STEP_STATES.has(state);

/**
 * The state of a watched run, folded from its event stream: a `snapshot` replaces everything, each
 * `run`/`step` change moves one thing. Steps keep the workflow's order; a step the snapshot did not
 * list (a newer server) is added at the end.
 */
export class RunBoard {
  run: RunStatus | undefined;
  readonly steps = new Map<string, StepStatus>();

  /**
   * `historyFollows`: every state change since the run was created comes next, so start from the
   * beginning (run queued, steps pending) and let them replay forwards. Steps a rerun copied from
   * its parent (final, no attempt of their own) have no changes in this run's history: they keep
   * their state.
   */
  applySnapshot(view: RunDto, historyFollows = false): void {
    this.run = {
      id: view.id,
      workflow: view.workflow,
      workflowVersion: view.workflowVersion,
      state: historyFollows ? 'queued' : view.state,
      reason: historyFollows ? null : view.reason,
      startedAt: historyFollows ? null : view.startedAt,
      finishedAt: historyFollows ? null : view.finishedAt,
    };
    this.steps.clear();
    for (const s of view.steps ?? []) {
      const copied = s.attempts.length === 0 && isFinalStepState(s.state);
      const fresh = historyFollows && !copied;
      this.steps.set(s.stepId, {
        stepId: s.stepId,
        state: fresh ? 'pending' : s.state,
        attempt: fresh ? 0 : s.attempt,
        startedAt: fresh ? null : s.startedAt,
        finishedAt: fresh ? null : s.finishedAt,
        reason: fresh ? null : (s.reason ?? (s.errorCode ? `${s.errorCode}: ${s.errorMessage ?? ''}` : null)),
        progress: fresh ? null : (s.progress ?? null),
      });
    }
  }

  applyRun(change: RunChangeEventDto): void {
    if (!this.run) return;
    this.run.state = change.to;
    this.run.reason = change.reason;
    if (change.to === 'running') this.run.startedAt ??= change.at;
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(change.to)) this.run.finishedAt = change.at;
  }

  applyStep(change: StepChangeEventDto): StepStatus {
    let step = this.steps.get(change.stepId);
    if (!step) {
      step = { stepId: change.stepId, state: 'pending', attempt: 0, startedAt: null, finishedAt: null, reason: null, progress: null };
      this.steps.set(change.stepId, step);
    }
    step.state = change.to;
    // A new attempt starts from nothing: the last one's progress is not its own.
    if (change.attempt !== null && change.attempt !== step.attempt) step.progress = null;
    if (change.attempt !== null) step.attempt = change.attempt;
    step.reason = change.reason;
    if (change.to === 'running') step.startedAt ??= change.at;
    if (isFinalStepState(change.to)) step.finishedAt = change.at;
    else if (change.to === 'pending') {
      step.startedAt = null;
      step.finishedAt = null;
    } else step.finishedAt = null;
    return step;
  }

  /** A progress event of a known step's current (or a later) attempt; an older attempt's is ignored. */
  applyProgress(p: StepProgressEventDto): StepStatus | undefined {
    const step = this.steps.get(p.stepId);
    if (!step || p.attempt < step.attempt) return undefined;
    const { stepId: _stepId, ...progress } = p;
    step.progress = progress;
    return step;
  }
}

/** `45% · 1,200,000 rows · 73 MiB · reading orders.csv`: what a step reported, for one line. */
export function describeProgress(p: StepProgressDto): string {
  const parts: string[] = [];
  if (p.percent !== null) parts.push(`${Math.floor(p.percent)}%`);
  const m = p.metrics;
  const rows = m.rows ?? m.rowsWritten;
  if (rows !== undefined) parts.push(`${rows.toLocaleString('en-US')} rows`);
  if (m.rejected) parts.push(`${m.rejected.toLocaleString('en-US')} rejected`);
  if (m.bytes !== undefined) parts.push(formatBytes(m.bytes));
  if (p.message) parts.push(p.message);
  return parts.join(' · ');
}
