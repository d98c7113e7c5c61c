import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { RunStates } from '@flowforge/workflow';
import { requestSchema } from '../openapi/zod-openapi';
import { INT32_MAX } from '../params/int-param.pipe';
import { limitQuery } from '../params/page.query';

const INT64_MAX = 9_223_372_036_854_775_807n;

/** A run log page's cursor, `<µs>_<id>` (LogCursor in services/orchestrator/src/runs/run-log.store.ts): opaque to clients. */
export const LOG_CURSOR_PATTERN = /^(\d{1,19})_(\d{1,19})$/;

const text = (min: number, max: number) =>
  z
    .string(says(`must be a string of ${min} to ${max} characters`))
    .min(min, `must be at least ${min} characters long`)
    .max(max, `must be at most ${max} characters long`);
/** Who asks: the gateway sets it from the signed-in caller; a peer service names itself (e.g. `scheduler`). */
const requestedBy = text(1, 200).optional();

/** Body of POST /runs as a client sends it. */
export const createRunRequest = requestSchema(
  'CreateRunDto',
  z.strictObject({
    workflow: text(1, 63).meta({ example: 'daily-sales' }),
    workflowVersion: z
      .number(says(`must be an integer from 1 to ${INT32_MAX}`))
      .int(`must be an integer from 1 to ${INT32_MAX}`)
      .min(1, `must be an integer from 1 to ${INT32_MAX}`)
      .max(INT32_MAX, `must be an integer from 1 to ${INT32_MAX}`)
      .optional()
      .describe('Absent: the latest version')
      .meta({ example: 2 }),
    params: z
      .record(z.string(), z.unknown(), says('must be an object'))
      .optional()
      .describe('Typed values or text; converted to the declared types')
      .meta({ example: { run_date: '2026-01-31', limit: 100 } }),
    idempotencyKey: text(1, 200)
      .optional()
      .describe(
        'Same key and same request, same run; reused for another workflow, version or parameters: 422 FF_RUN_IDEMPOTENCY_CONFLICT (also accepted as the Idempotency-Key header)',
      )
      .meta({ example: 'nightly-2026-01-31' }),
  }),
);
/** What the orchestrator's internal API accepts: the client's body and who asks. */
export const createRunInternalRequest = createRunRequest.extend({ requestedBy });
export type CreateRunInternalRequest = z.output<typeof createRunInternalRequest>;

/** Body of POST /runs/{id}/cancel (optional). */
export const cancelRunRequest = requestSchema('CancelRunDto', z.strictObject({ reason: text(1, 1000).optional().meta({ example: 'wrong business day' }) }));
export const cancelRunInternalRequest = cancelRunRequest.extend({ requestedBy }).optional();
export type CancelRunInternalRequest = z.output<typeof cancelRunInternalRequest>;

/** Body of POST /runs/{id}/rerun (optional). */
export const rerunRequest = requestSchema(
  'RerunDto',
  z.strictObject({
    fromStep: text(1, 63)
      .optional()
      .describe('Rerun this step and everything downstream; absent: every failed, timed-out, cancelled or upstream-failed step')
      .meta({ example: 'load' }),
  }),
);
export const rerunInternalRequest = rerunRequest.extend({ requestedBy }).optional();
export type RerunInternalRequest = z.output<typeof rerunInternalRequest>;

/** `?before=`: a PostgreSQL `bigint` id in decimal; a longer or larger one is a 400 naming the field, not an overflow upstream. */
const runCursor = z
  .string(says('must be a decimal integer'))
  // One check, not a regex then a refine: zod runs a refine after a failed regex, and BigInt('..') throws.
  .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= INT64_MAX, `must be a decimal integer from 0 to ${INT64_MAX}`)
  .meta({ pattern: '^\\d{1,19}$' });

export const listRunsQuery = z.strictObject({
  workflow: z.string(says('must be a workflow name')).optional(),
  state: z.enum(RunStates, says(`must be one of ${RunStates.map((s) => `"${s}"`).join(', ')}`)).optional(),
  limit: limitQuery(500, 50),
  before: runCursor.optional().describe("The previous page's nextCursor"),
});
export type ListRunsQuery = z.output<typeof listRunsQuery>;

export const runLogsQuery = z.strictObject({
  step: z.string(says('must be a step id')).optional().describe('Only this step'),
  attempt: z.coerce
    .number(says(`must be an integer from 1 to ${INT32_MAX}`))
    .int(`must be an integer from 1 to ${INT32_MAX}`)
    .min(1, `must be an integer from 1 to ${INT32_MAX}`)
    .max(INT32_MAX, `must be an integer from 1 to ${INT32_MAX}`)
    .optional()
    .describe('Only this attempt'),
  after: z
    .string(says('must be the nextCursor of a previous page'))
    .regex(LOG_CURSOR_PATTERN, 'must be the nextCursor of a previous page')
    .optional()
    .describe("The previous page's nextCursor"),
  limit: limitQuery(5000, 500),
});
export type RunLogsQuery = z.output<typeof runLogsQuery>;
