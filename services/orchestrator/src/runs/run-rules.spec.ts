import type { StepSpec, WorkflowSpec } from '@flowforge/workflow';
import { runLimit } from './run.admission';
import { downstreamClosure } from './run.commands';
import type { StepRecord } from './run.records';
import { wakeAt } from './run-step.store';
import { stepTimeout } from './step.dispatcher';
import type { OrchestratorConfig } from '../orchestrator.config';

const step = (id: string, dependsOn: string[] = []): StepSpec => ({
  id,
  job: 'noop',
  dependsOn,
  condition: 'on_success',
  retry: { maxAttempts: 1, initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 300_000 },
});

const record = (patch: Partial<StepRecord>): StepRecord => ({
  runId: 'r',
  stepId: 's',
  position: 0,
  jobName: 'noop',
  jobVersion: 1,
  jobType: 'noop',
  executor: 'builtin',
  state: 'pending',
  attempt: 0,
  failures: 0,
  lostAttempts: 0,
  nextAttemptAt: null,
  leaseExpiresAt: null,
  progress: null,
  deadlineAt: null,
  heldAt: null,
  outputs: null,
  errorCode: null,
  errorMessage: null,
  reason: null,
  startedAt: null,
  finishedAt: null,
  ...patch,
});

describe('downstreamClosure (what a rerun resets)', () => {
  const steps = [step('a'), step('b', ['a']), step('c', ['b']), step('d'), step('e', ['d', 'b'])];

  it('takes the roots and everything that depends on them, transitively', () => {
    expect([...downstreamClosure(steps, ['b'])].sort()).toEqual(['b', 'c', 'e']);
    expect([...downstreamClosure(steps, ['d'])].sort()).toEqual(['d', 'e']);
    expect([...downstreamClosure(steps, ['a', 'd'])].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('is just the root for a leaf', () => {
    expect([...downstreamClosure(steps, ['c'])]).toEqual(['c']);
  });
});

describe('wakeAt (the sweeper work list)', () => {
  const t = (ms: number) => new Date(ms);

  it('is the earlier of lease expiry and deadline while an attempt is out', () => {
    expect(wakeAt(record({ state: 'running', leaseExpiresAt: t(5000), deadlineAt: t(3000) }))).toEqual(t(3000));
    expect(wakeAt(record({ state: 'queued', leaseExpiresAt: t(5000), deadlineAt: null }))).toEqual(t(5000));
  });

  it('is the retry time while retrying, and nothing otherwise', () => {
    expect(wakeAt(record({ state: 'retrying', nextAttemptAt: t(7000), leaseExpiresAt: t(1) }))).toEqual(t(7000));
    for (const state of ['pending', 'succeeded', 'failed', 'cancelled'] as const) {
      expect(wakeAt(record({ state, leaseExpiresAt: t(1), deadlineAt: t(1), nextAttemptAt: t(1) }))).toBeNull();
    }
  });

  it('is nothing for a retry fair share holds back (woken when its requester has room, not polled)', () => {
    expect(wakeAt(record({ state: 'retrying', nextAttemptAt: t(7000), heldAt: t(7000) }))).toBeNull();
  });
});

describe('stepTimeout (the longest an attempt may run)', () => {
  const config = { FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS: 60 } as OrchestratorConfig;

  it("is the step's own timeoutMs when within the platform maximum", () => {
    expect(stepTimeout({ ...step('a'), timeoutMs: 1_500 }, config)).toEqual({ ms: 1_500, byPlatform: false });
    expect(stepTimeout({ ...step('a'), timeoutMs: 60_000 }, config)).toEqual({ ms: 60_000, byPlatform: false });
  });

  it('is the platform maximum for a step without timeoutMs or with a longer one', () => {
    expect(stepTimeout(step('a'), config)).toEqual({ ms: 60_000, byPlatform: true });
    expect(stepTimeout({ ...step('a'), timeoutMs: 60_001 }, config)).toEqual({ ms: 60_000, byPlatform: true });
  });
});

describe('runLimit (concurrent runs of a workflow)', () => {
  const wf = (concurrency: WorkflowSpec['concurrency']): WorkflowSpec => ({ name: 'w', parameters: [], steps: [step('a')], concurrency });

  it('is maxRuns when set', () => {
    expect(runLimit(wf({ maxRuns: 3, overlap: 'queue' }))).toBe(3);
    expect(runLimit(wf({ maxRuns: 2, overlap: 'allow' }))).toBe(2);
  });

  it('is unlimited for allow and one for the other policies when maxRuns is absent', () => {
    expect(runLimit(wf({ overlap: 'allow' }))).toBe(Number.POSITIVE_INFINITY);
    expect(runLimit(wf({ overlap: 'skip' }))).toBe(1);
    expect(runLimit(wf({ overlap: 'queue' }))).toBe(1);
    expect(runLimit(wf({ overlap: 'cancel_running' }))).toBe(1);
  });
});
