import type { JobContext, JobType } from '../job-type';

export interface SleepConfig {
  ms: number;
}

/** Progress notes per sleep, at most: enough to watch it move, few enough to stay quiet. */
const PROGRESS_STEPS = 10;
/** ...but a long sleep still wakes up now and then (and timers refuse delays past ~24.8 days). */
const MAX_STEP_MS = 60_000;

/**
 * Waits `ms` milliseconds, reporting progress, and stops as soon as its signal aborts — the example of
 * a long job that honours cancellation, deadlines and shutdown.
 */
export const sleepJob: JobType<SleepConfig> = {
  type: 'sleep',
  version: 1,
  description: 'Waits config.ms milliseconds, reporting progress; stops when cancelled.',
  configSchema: {
    type: 'object',
    properties: { ms: { type: 'integer', minimum: 0, description: 'How long to sleep, in milliseconds.' } },
    required: ['ms'],
    additionalProperties: false,
  },
  async execute(ctx: JobContext<SleepConfig>) {
    const { ms } = ctx.config;
    ctx.log.info('sleeping', { ms });
    const started = Date.now();
    const step = Math.min(Math.max(ms / PROGRESS_STEPS, 1), MAX_STEP_MS);
    for (let slept = 0; slept < ms; slept = Date.now() - started) {
      await abortableDelay(Math.min(step, ms - slept), ctx.signal);
      const elapsed = Math.min(Date.now() - started, ms);
      ctx.progress({ percent: (elapsed / ms) * 100, metrics: { sleptMs: elapsed } });
    }
    ctx.log.info('woke up', { sleptMs: ms });
    return { outputs: { sleptMs: ms }, metrics: { sleptMs: ms } };
  },
};

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
