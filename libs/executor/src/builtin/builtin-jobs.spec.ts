import { JobError } from '../job.error';
import type { JobContext, JobProgress } from '../job-type';
import { builtinJobTypes, BUILTIN_FAIL_CODE, failJob, noopJob, sleepJob, type FailConfig } from './index';

function fakeContext<C>(config: C, over: { attempt?: number; signal?: AbortSignal } = {}) {
  const progress: JobProgress[] = [];
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  const ctx: JobContext<C> = {
    runId: 'run-1',
    stepId: 'step-1',
    attempt: over.attempt ?? 1,
    jobType: 'test',
    jobVersion: '1',
    instanceId: 'replica-1',
    config,
    deadlineAt: null,
    signal: over.signal ?? new AbortController().signal,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    progress: (p) => void progress.push(p),
  };
  return { ctx, progress, lines };
}

describe('builtin job types', () => {
  it('are noop, sleep and fail, version 1, each with a description', () => {
    expect(builtinJobTypes.map((j) => [j.type, j.version, typeof j.description])).toEqual([
      ['noop', 1, 'string'],
      ['sleep', 1, 'string'],
      ['fail', 1, 'string'],
    ]);
  });

  it('noop completes with outputs {}', async () => {
    expect(await noopJob.execute(fakeContext({}).ctx)).toEqual({ outputs: {} });
  });

  it('sleep reports rising progress up to 100% and logs', async () => {
    const { ctx, progress, lines } = fakeContext({ ms: 50 });
    expect(await sleepJob.execute(ctx)).toEqual({ outputs: { sleptMs: 50 }, metrics: { sleptMs: 50 } });
    const percents = progress.map((p) => p.percent!);
    expect(percents.length).toBeGreaterThan(1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(lines.map((l) => l.message)).toEqual(['sleeping', 'woke up']);
  });

  it('sleep stops at once when its signal aborts, throwing the reason', async () => {
    const ctl = new AbortController();
    const { ctx } = fakeContext({ ms: 3_600_000 }, { signal: ctl.signal });
    const running = sleepJob.execute(ctx);
    const reason = new JobError('FF_STEP_CANCELLED', 'by test', { retryable: false });
    ctl.abort(reason);
    await expect(running).rejects.toBe(reason);
  });

  it('fail fails while attempt <= failAttempts with its code and retryable flag, then succeeds', async () => {
    const config: FailConfig = { message: 'boom', code: 'FF_TEST_BOOM', retryable: false, failAttempts: 2 };
    for (const attempt of [1, 2]) {
      const err = await failJob.execute(fakeContext(config, { attempt }).ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobError);
      expect(err).toMatchObject({ code: 'FF_TEST_BOOM', detail: 'boom', retryable: false });
    }
    expect(await failJob.execute(fakeContext(config, { attempt: 3 }).ctx)).toEqual({ outputs: { succeededOnAttempt: 3 } });
  });

  it('fail without failAttempts always fails, with the default code', async () => {
    const err = await failJob.execute(fakeContext({ message: 'x', retryable: true }, { attempt: 99 }).ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: BUILTIN_FAIL_CODE, retryable: true });
  });
});
