import { Inject, Injectable } from '@nestjs/common';
import { StepCancelRequested } from '@flowforge/contracts';
import { serviceConfigToken } from '@flowforge/service-kit';
import { evaluateDag, hasAttemptLeft, isTerminalRunState, isTerminalStepState, retryDelayMs } from '@flowforge/workflow';
import type { OrchestratorConfig } from '../orchestrator.config';
import { RunOutbox } from './run.outbox';
import type { StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunTransitions } from './run.transitions';
import { StepDispatcher, stepTimeout } from './step.dispatcher';
import { SweepAlarm } from './sweep.alarm';

/** What the executor kit reports when the deadline we sent passed (libs/executor). */
export const EXECUTOR_DEADLINE_CODE = 'FF_STEP_DEADLINE_EXCEEDED';
/** What the executor kit reports when its replica shut down under a running attempt. */
export const EXECUTOR_INTERRUPTED_CODE = 'FF_STEP_INTERRUPTED';

const isOut = (s: StepRecord): boolean => s.state === 'queued' || s.state === 'running';

/**
 * The run engine: moves one locked run forward in the caller's transaction. Event-driven — every step
 * event and every sweep ends in `advance`, which settles what can no longer run, dispatches what is
 * ready and finishes the run when every step is final (libs/workflow's evaluateDag decides).
 *
 * Retries: a failed or timed-out attempt is retried while the step's retry policy has attempts left
 * (maxAttempts counts the first one), after retryDelayMs; the step waits in `retrying`. A lost lease
 * (executor gone) re-dispatches at once and does not count as a failure, up to
 * FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS losses.
 */
@Injectable()
export class RunEngine {
  constructor(
    private readonly outbox: RunOutbox,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    private readonly transitions: RunTransitions,
    private readonly dispatcher: StepDispatcher,
    private readonly steps: RunStepStore,
    private readonly alarm: SweepAlarm,
  ) {}

  async start(scope: RunScope, reason: string | null): Promise<void> {
    await this.transitions.moveRun(scope, 'running', reason);
    await this.advance(scope);
  }

  async advance(scope: RunScope): Promise<void> {
    // Each round either dispatches (steps leave pending) or returns, so it ends within steps + 1 rounds.
    for (let round = 0; round <= scope.run.spec.steps.length; round++) {
      if (scope.run.state !== 'running') return;
      const decision = evaluateDag(scope.run.spec.steps, scope.states());
      for (const s of decision.settle) await this.transitions.moveStep(scope, this.stepOf(scope, s.stepId), s.state, s.reason);
      if (decision.finished) {
        await this.finish(scope, decision.outcome ?? 'succeeded');
        return;
      }
      if (decision.ready.length === 0) return;
      // Nothing went out: every ready step is held by fair share, and another round would hold them again.
      if (
        (await this.dispatcher.dispatch(
          scope,
          decision.ready.map((id) => this.stepOf(scope, id)),
        )) === 0
      )
        return;
    }
  }

  async started(scope: RunScope, step: StepRecord, instanceId: string, leaseMs: number): Promise<void> {
    const lease = leaseMs > 0 ? leaseMs : this.config.FLOWFORGE_ORCHESTRATOR_DEFAULT_LEASE_MS;
    await this.steps.startAttempt(scope.tx, step, instanceId, lease, scope.now);
    if (step.state === 'queued') {
      await this.transitions.moveStep(scope, step, 'running', `attempt ${step.attempt} started on ${instanceId}`, { leaseExpiresAt: scope.after(lease) });
    } else {
      await this.transitions.touchStep(scope, step, { leaseExpiresAt: scope.after(lease) });
    }
  }

  /** StepProgress / StepLog of the current attempt: the executor is alive, the lease is renewed. */
  async heartbeat(scope: RunScope, step: StepRecord): Promise<void> {
    const lease = (await this.steps.leaseMsOf(scope.tx, step)) ?? this.config.FLOWFORGE_ORCHESTRATOR_DEFAULT_LEASE_MS;
    const renewed = scope.after(lease);
    // A progress event may overtake StepStarted (separate topics): never shorten a dispatch timeout.
    if (step.leaseExpiresAt && step.leaseExpiresAt > renewed) return;
    await this.transitions.touchStep(scope, step, { leaseExpiresAt: renewed });
  }

  async completed(scope: RunScope, step: StepRecord, outputs: Record<string, unknown> | null, metrics: Record<string, number> | null): Promise<void> {
    if (step.state === 'queued') {
      // StepStarted travels on another topic and may arrive later (then it is stale and ignored). The
      // reason is shown to users (flowforge run --wait, the run's steps): in their words, not event names.
      await this.transitions.moveStep(scope, step, 'running', `attempt ${step.attempt} started (its result came in before the executor reported the start)`);
    }
    await this.steps.finishAttempt(scope.tx, step, 'succeeded', scope.now, { outputs, metrics });
    await this.transitions.moveStep(scope, step, 'succeeded', null, { outputs: outputs ?? {}, errorCode: null, errorMessage: null });
    await this.advance(scope);
  }

  async failed(scope: RunScope, step: StepRecord, code: string, message: string, retryable: boolean): Promise<void> {
    if (code === EXECUTOR_DEADLINE_CODE) {
      // The executor enforced the deadline we sent: the run's (time the run out) or the step's (a timeout).
      if (scope.run.deadlineAt && scope.run.deadlineAt <= scope.now) {
        await this.timeOutRun(scope);
        return;
      }
      await this.steps.finishAttempt(scope.tx, step, 'timed_out', scope.now, { errorCode: code, errorMessage: message });
      await this.afterFailure(scope, step, 'timed_out', true, 'FF_STEP_TIMEOUT', this.timeoutMessage(scope, step));
      return;
    }
    if (code === EXECUTOR_INTERRUPTED_CODE) {
      // The replica went away (deploy, scale-in): not the job's fault, so like a lost lease.
      await this.attemptLost(scope, step, `attempt ${step.attempt} was interrupted: ${message}`, EXECUTOR_INTERRUPTED_CODE);
      return;
    }
    await this.steps.finishAttempt(scope.tx, step, 'failed', scope.now, { errorCode: code, errorMessage: message });
    await this.afterFailure(scope, step, 'failed', retryable, code, message);
  }

  /** The sweeper's part: run timeout, due retries, step timeouts, expired leases — then advance. */
  async sweep(scope: RunScope): Promise<void> {
    const run = scope.run;
    if (run.state !== 'running') return;
    if (run.deadlineAt && run.deadlineAt <= scope.now) {
      await this.timeOutRun(scope);
      return;
    }
    const dueRetries: StepRecord[] = [];
    for (const step of scope.allSteps()) {
      if (scope.run.state !== 'running') return;
      if (step.state === 'retrying' && step.nextAttemptAt && step.nextAttemptAt <= scope.now) dueRetries.push(step);
      else if (isOut(step) && step.deadlineAt && step.deadlineAt <= scope.now) await this.stepTimedOut(scope, step);
      else if (isOut(step) && step.leaseExpiresAt && step.leaseExpiresAt <= scope.now) await this.leaseExpired(scope, step);
    }
    // A step timing out above may have finished the run; only still-waiting retries go out.
    const retries = dueRetries.filter((s) => s.state === 'retrying');
    if (retries.length && scope.run.state === 'running') await this.dispatcher.dispatch(scope, retries);
    await this.advance(scope);
  }

  /** Cancels every step that is not final (running attempts are asked to stop), then the run. */
  async cancel(scope: RunScope, reason: string): Promise<void> {
    if (isTerminalRunState(scope.run.state)) return;
    for (const step of scope.allSteps()) {
      if (isTerminalStepState(step.state)) continue;
      if (isOut(step)) await this.stopAttempt(scope, step, 'cancelled', reason);
      await this.transitions.moveStep(scope, step, 'cancelled', reason);
    }
    await this.transitions.moveRun(scope, 'cancelled', reason);
  }

  /** The run's timeoutMs passed: attempts out are stopped and time out, steps not started are cancelled. */
  async timeOutRun(scope: RunScope): Promise<void> {
    const reason = `FF_RUN_TIMEOUT: run timed out after ${scope.run.spec.timeoutMs ?? 0} ms`;
    for (const step of scope.allSteps()) {
      if (isTerminalStepState(step.state)) continue;
      if (isOut(step)) {
        await this.stopAttempt(scope, step, 'timed_out', reason);
        await this.transitions.moveStep(scope, step, 'timed_out', reason, { errorCode: 'FF_RUN_TIMEOUT', errorMessage: reason });
      } else {
        await this.transitions.moveStep(scope, step, 'cancelled', reason);
      }
    }
    await this.transitions.moveRun(scope, 'timed_out', reason);
  }

  private async finish(scope: RunScope, outcome: 'succeeded' | 'failed'): Promise<void> {
    let reason: string | null = null;
    if (outcome === 'failed') {
      const culprit =
        scope.allSteps().find((s) => s.state === 'failed' || s.state === 'timed_out') ??
        scope.allSteps().find((s) => s.state !== 'succeeded' && s.state !== 'skipped');
      reason = culprit
        ? `step "${culprit.stepId}" ${culprit.state}${culprit.errorCode ? `: ${culprit.errorCode}: ${culprit.errorMessage ?? ''}` : ''}`
        : 'a step failed';
    }
    await this.transitions.moveRun(scope, outcome, reason);
  }

  private async afterFailure(
    scope: RunScope,
    step: StepRecord,
    final: 'failed' | 'timed_out',
    retryable: boolean,
    code: string,
    message: string,
  ): Promise<void> {
    const failures = step.failures + 1;
    const policy = scope.spec(step.stepId).retry;
    const what = final === 'timed_out' ? 'timed out' : 'failed';
    if (retryable && hasAttemptLeft(policy, failures)) {
      const delay = retryDelayMs(policy, failures);
      await this.transitions.moveStep(
        scope,
        step,
        'retrying',
        `attempt ${step.attempt} ${what} (${code}: ${message}); attempt ${step.attempt + 1} in ${delay} ms`,
        {
          failures,
          nextAttemptAt: scope.after(delay),
          leaseExpiresAt: null,
          deadlineAt: null,
          errorCode: code,
          errorMessage: message,
        },
      );
      if (delay === 0) await this.dispatcher.dispatch(scope, [step]);
      else this.alarm.request(delay);
      return;
    }
    const why = retryable ? `after ${failures} attempt(s), the retry policy allows ${policy.maxAttempts}` : 'not retryable';
    await this.transitions.moveStep(scope, step, final, `${code}: ${message} (${why})`, { failures, errorCode: code, errorMessage: message });
    await this.advance(scope);
  }

  private async stepTimedOut(scope: RunScope, step: StepRecord): Promise<void> {
    const message = this.timeoutMessage(scope, step);
    await this.stopAttempt(scope, step, 'timed_out', message);
    await this.afterFailure(scope, step, 'timed_out', true, 'FF_STEP_TIMEOUT', message);
  }

  /**
   * Nothing heard from the attempt within its lease (or, never started, within the dispatch timeout):
   * its executor is presumed gone. The attempt is written off — a late answer from it is ignored, since
   * it is no longer the current attempt — and the next one is dispatched at once.
   */
  private async leaseExpired(scope: RunScope, step: StepRecord): Promise<void> {
    const what =
      step.state === 'queued'
        ? 'was not started by any executor within the dispatch timeout'
        : 'went silent: its executor sent nothing within the lease (stopped, crashed or unreachable)';
    await this.attemptLost(scope, step, `attempt ${step.attempt} ${what}`, null);
  }

  /** `reportedCode` set: the executor itself reported the loss, so there is nothing to ask to stop. */
  private async attemptLost(scope: RunScope, step: StepRecord, message: string, reportedCode: string | null): Promise<void> {
    const lost = step.lostAttempts + 1;
    if (reportedCode === null) await this.stopAttempt(scope, step, 'lost', message);
    else await this.steps.finishAttempt(scope.tx, step, 'lost', scope.now, { errorCode: reportedCode, errorMessage: message });
    if (lost > this.config.FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS) {
      const detail = `${message}; ${lost} attempt(s) lost, FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS is ${this.config.FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS}`;
      await this.transitions.moveStep(scope, step, 'failed', `FF_STEP_LEASE_LOST: ${detail}`, {
        lostAttempts: lost,
        errorCode: 'FF_STEP_LEASE_LOST',
        errorMessage: detail,
      });
      await this.advance(scope);
      return;
    }
    step.lostAttempts = lost;
    await this.dispatcher.dispatch(scope, [step], `${message}; attempt ${step.attempt + 1} dispatched to executor "${step.executor}"`);
  }

  /** Writes the attempt off and asks its executor to stop it (it may still be running somewhere). */
  private async stopAttempt(scope: RunScope, step: StepRecord, as: 'cancelled' | 'timed_out' | 'lost', reason: string): Promise<void> {
    const code = as === 'lost' ? 'FF_STEP_LEASE_EXPIRED' : as === 'timed_out' ? 'FF_STEP_TIMEOUT' : 'FF_STEP_CANCELLED';
    await this.steps.finishAttempt(scope.tx, step, as, scope.now, { errorCode: code, errorMessage: reason });
    this.outbox.add(scope.tx, StepCancelRequested, { runId: step.runId, stepId: step.stepId, attempt: step.attempt, reason }, { key: step.runId });
  }

  private timeoutMessage(scope: RunScope, step: StepRecord): string {
    const spec = scope.spec(step.stepId);
    const { ms, byPlatform } = stepTimeout(spec, this.config);
    if (!byPlatform) return `attempt ${step.attempt} of step "${step.stepId}" exceeded its timeout of ${ms} ms`;
    const own = spec.timeoutMs === undefined ? 'the step sets no timeoutMs' : `the step's timeoutMs ${spec.timeoutMs} ms is above it`;
    return (
      `attempt ${step.attempt} of step "${step.stepId}" exceeded the maximum step duration of ${ms / 1000} s ` +
      `(FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS; ${own}); split the work or ask an operator to raise the maximum`
    );
  }

  private stepOf(scope: RunScope, stepId: string): StepRecord {
    const step = scope.step(stepId);
    if (!step) throw new Error(`FF_RUN_CORRUPT: run ${scope.run.id} has no row for step "${stepId}"`);
    return step;
  }
}
