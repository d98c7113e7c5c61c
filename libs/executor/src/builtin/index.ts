import type { JobType } from '../job-type';
import { failJob } from './fail.job';
import { noopJob } from './noop.job';
import { sleepJob } from './sleep.job';

export { noopJob } from './noop.job';
export { sleepJob, abortableDelay, type SleepConfig } from './sleep.job';
export { failJob, BUILTIN_FAIL_CODE, type FailConfig } from './fail.job';

/** The job types of the `builtin` executor (hosted by the orchestrator): noop, sleep, fail. */
export const builtinJobTypes: ReadonlyArray<JobType> = [noopJob, sleepJob, failJob];
