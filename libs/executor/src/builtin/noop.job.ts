import type { JobType } from '../job-type';

/** Does nothing and succeeds with empty outputs: the smallest job, for wiring and DAG tests. */
export const noopJob: JobType<Record<string, never>> = {
  type: 'noop',
  version: 1,
  description: 'Does nothing and completes at once with outputs {}.',
  configSchema: { type: 'object', additionalProperties: false },
  async execute() {
    return { outputs: {} };
  },
};
