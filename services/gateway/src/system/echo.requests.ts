import { z } from 'zod';
import { requestSchema } from '@flowforge/http';
import { says } from '@flowforge/service-kit';

/** Body of POST /api/v1/system/echo: the gateway publishes it itself, so it is the gateway's to validate. */
export const echoRequest = requestSchema(
  'EchoRequestDto',
  z.strictObject({
    message: z
      .string(says('must be a string of 1 to 1000 characters'))
      .min(1, 'must be 1 to 1000 characters long')
      .max(1000, 'must be 1 to 1000 characters long')
      .meta({ example: 'hello' }),
  }),
);
export type EchoRequest = z.output<typeof echoRequest>;
