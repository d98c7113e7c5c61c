import type { EventBus } from '@flowforge/bus';
import { builtinJobTypes, noopJob } from './builtin';
import { ExecutorError } from './job.error';
import { RecentAttempts } from './recent.attempts';
import { StepExecutor, cancelGroup, dispatchGroup, type StepExecutorOptions } from './step.executor';

// Construction only: nothing here touches the bus.
const bus = {} as EventBus;
const make = (over: Partial<StepExecutorOptions>) => () => new StepExecutor({ bus, executor: 'builtin', jobTypes: builtinJobTypes, ...over });

describe('StepExecutor options', () => {
  it('defaults: lease 30 s, heartbeat a third of it, a generated instance id', () => {
    const ex = make({})();
    expect({ leaseMs: ex.leaseMs, heartbeatMs: ex.heartbeatMs, state: ex.status().state }).toEqual({ leaseMs: 30_000, heartbeatMs: 10_000, state: 'idle' });
    expect(ex.instanceId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(make({})().instanceId).not.toBe(ex.instanceId);
  });

  it.each([
    [{ executor: 'spark' as never }, /executor "spark" must be one of ingestion, transformation, quality, reconciliation, builtin/],
    [{ jobTypes: [] }, /executor "builtin" was given no job types/],
    [{ jobTypes: [noopJob, noopJob] }, /job type "noop" is given twice/],
    [{ leaseMs: 10 }, /leaseMs must be an integer between 100 and/],
    [{ maxConcurrentSteps: 0 }, /maxConcurrentSteps must be an integer between 1 and/],
    [{ instanceId: 'has space' }, /instanceId "has space" must be/],
  ])('refuses %p', (over, message) => {
    expect(make(over)).toThrow(ExecutorError);
    expect(make(over)).toThrow(message);
  });

  it('names its groups after the executor (dispatch) and the replica (cancel)', () => {
    expect(dispatchGroup('ingestion')).toBe('executor-ingestion');
    expect(cancelGroup('ingestion', 'pod-7')).toBe('executor-ingestion-cancel-pod-7');
  });

  it('stop() before start() is a no-op; start() after stop() is refused', async () => {
    const ex = make({})();
    await ex.stop();
    await expect(ex.start()).rejects.toThrow(/FF_EXECUTOR_STATE/);
  });
});

describe('RecentAttempts', () => {
  it('forgets the oldest beyond its size and anything older than its TTL', () => {
    const recent = new RecentAttempts<number>(2, 1000);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('c', 3);
    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual([undefined, 2, 3]);
    recent.set('old', 4, Date.now() - 5000);
    expect(recent.get('old')).toBeUndefined();
  });
});
