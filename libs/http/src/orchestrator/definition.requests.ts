import { z } from 'zod';
import { requestSchema } from '../openapi/zod-openapi';
import { INT32_MAX } from '../params/int-param.pipe';

// Jobs and workflows are validated by the workflow model (libs/workflow: validateJob, validateWorkflow),
// which also reads YAML and names each wrong field with its line; the orchestrator hands it the body as
// it came. These schemas describe the bodies for the OpenAPI document only: the fields the model knows
// (it refuses any other), loosely typed, so that they cannot promise less than the model accepts.

const STEP_EXAMPLE = {
  id: 'load',
  job: 'load-sales',
  dependsOn: ['extract'],
  condition: 'on_success',
  retry: { maxAttempts: 3 },
  params: { day: '${params.run_date}' },
};
const object = () => z.record(z.string(), z.unknown());

/** Body of PUT /jobs/{name}; the config is validated against the JSON Schema of its type. */
export const saveJobRequest = requestSchema(
  'SaveJobDto',
  z.strictObject({
    name: z.string().optional().describe('Must equal the name in the URL when given').meta({ example: 'extract-orders' }),
    type: z.string().min(1).max(200).describe('A job type an executor announced (GET /api/v1/job-types)').meta({ example: 'sleep' }),
    description: z.string().max(4000).optional().meta({ example: 'Orders of one day into bronze' }),
    config: object()
      .optional()
      .describe("Validated against the type's configSchema")
      .meta({ example: { ms: 1000 } }),
  }),
);

/**
 * Body of PUT /workflows/{name}: the workflow spec as JSON (the same fields as the YAML document's
 * metadata and spec). Steps, parameters and concurrency are validated by the workflow model, which
 * names each wrong field.
 */
export const saveWorkflowRequest = requestSchema(
  'SaveWorkflowDto',
  z.strictObject({
    name: z.string().optional().describe('Must equal the name in the URL when given'),
    description: z.string().optional(),
    tags: z
      .array(z.string())
      .optional()
      .meta({ example: ['sales', 'daily'] }),
    parameters: z
      .array(object())
      .optional()
      .meta({ example: [{ name: 'run_date', type: 'date', required: true }] }),
    steps: z.array(object()).meta({ example: [STEP_EXAMPLE] }),
    concurrency: object()
      .optional()
      .describe('overlap: allow | skip | queue | cancel_running')
      .meta({ example: { maxRuns: 1, overlap: 'queue' } }),
    timeoutMs: z.number().int().min(1).max(INT32_MAX).optional().describe('Run timeout in ms').meta({ example: 7_200_000 }),
  }),
);

export const exportWorkflowsQuery = z.strictObject({ workflow: z.string().optional().describe('Only this workflow and the jobs it uses') });
