import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { requestSchema } from '../openapi/zod-openapi';
import { pageQuery } from '../params/page.query';

/** A trigger's name: an identifier, unique (lower-case letter first; letters, digits, `-`, `_`; at most 63). */
export const TRIGGER_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
export const triggerNameParam = z
  .string(says('must be a trigger name'))
  .regex(TRIGGER_NAME_PATTERN, 'must start with a lower-case letter, then lower-case letters, digits, "-" or "_", at most 63 characters');

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Body of PUT /triggers/{name}: creates the trigger or replaces its definition. */
export const saveTriggerRequest = requestSchema(
  'SaveTriggerDto',
  z.strictObject({
    workflow: z
      .string(says('must be a workflow name'))
      .min(1, 'must be a workflow name')
      .max(63, 'must be at most 63 characters long')
      .describe('The workflow each firing runs (its latest version)')
      .meta({ example: 'load-orders' }),
    type: z
      .string(says('must be a trigger type'))
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a trigger type (GET /api/v1/trigger-types)')
      .describe('webhook, kafka, rabbitmq, file, and any other type GET /api/v1/trigger-types lists')
      .meta({ example: 'webhook' }),
    description: z.string(says('must be a string')).max(2000, 'must be at most 2000 characters').nullable().optional(),
    config: z
      .record(z.string(), z.unknown(), says('must be an object'))
      .default({})
      .describe(
        "The type's settings, checked against its schema (GET /api/v1/trigger-types). Secret fields (a webhook's `secret`, a broker `password`) are stored encrypted and never answered; left out of an edit, they are kept",
      )
      .meta({ example: { auth: 'hmac' } }),
    params: z
      .record(
        z.string().regex(PARAM_NAME, 'a parameter name: a letter or "_", then letters, digits or "_"'),
        z.string(says('must be a string')).max(2000, 'must be at most 2000 characters'),
        says('must be an object'),
      )
      .refine((p) => Object.keys(p).length <= 100, 'must map at most 100 parameters')
      .default({})
      .describe('Run parameter -> `${payload.<path>}`, `${meta.<name>}`, text holding such references, or a literal')
      .meta({ example: { day: '${payload.day}', source: 'webhook' } }),
    enabled: z.boolean(says('must be true or false')).default(true),
  }),
);
export type SaveTriggerRequest = z.output<typeof saveTriggerRequest>;

/** Body of POST /triggers/{name}/test: a sample event; nothing is recorded and no run starts. */
export const testTriggerRequest = requestSchema(
  'TestTriggerDto',
  z.strictObject({
    payload: z
      .record(z.string(), z.unknown(), says('must be a JSON object'))
      .describe('The event payload')
      .meta({ example: { order: { id: 7 } } }),
    meta: z
      .record(z.string(), z.string(says('must be a string')), says('must be an object of strings'))
      .optional()
      .describe('Facts other than the payload: key, header.<name>, path...'),
  }),
);
export type TestTriggerRequest = z.output<typeof testTriggerRequest>;

/** `?limit=&offset=` of a trigger's firings (newest first). */
export const listFiringsQuery = pageQuery;
