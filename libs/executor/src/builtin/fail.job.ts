import { JobError } from '../job.error';
import type { JobContext, JobType } from '../job-type';

export interface FailConfig {
  message: string;
  code?: string;
  retryable: boolean;
  failAttempts?: number;
}

/** Code of the failure when the config names none. */
export const BUILTIN_FAIL_CODE = 'FF_BUILTIN_FAIL';

/**
 * Fails on purpose, to exercise retries: with `failAttempts: n` it fails attempts 1..n and succeeds
 * from attempt n+1; without it, it always fails. The example of a classified failure (JobError).
 */
export const failJob: JobType<FailConfig> = {
  type: 'fail',
  version: 1,
  description: 'Fails with config.message (and config.code) while attempt <= config.failAttempts (always when absent), then succeeds.',
  configSchema: {
    type: 'object',
    properties: {
      message: { type: 'string', minLength: 1 },
      code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: `Error code; default ${BUILTIN_FAIL_CODE}.` },
      retryable: { type: 'boolean', default: true },
      failAttempts: { type: 'integer', minimum: 0, description: 'Fail while attempt <= failAttempts, then succeed.' },
    },
    required: ['message'],
    additionalProperties: false,
  },
  async execute(ctx: JobContext<FailConfig>) {
    const { message, code, retryable, failAttempts } = ctx.config;
    if (failAttempts === undefined || ctx.attempt <= failAttempts) {
      ctx.log.warn('failing on purpose', { attempt: ctx.attempt, failAttempts: failAttempts ?? null });
      throw new JobError(code ?? BUILTIN_FAIL_CODE, message, { retryable });
    }
    ctx.log.info('succeeding after the failing attempts', { attempt: ctx.attempt });
    return { outputs: { succeededOnAttempt: ctx.attempt } };
  },
};
