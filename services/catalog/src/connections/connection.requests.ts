import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { CONNECTION_TYPES } from './connection-types';

const name = z
  .string(says('must be a name of 1-128 characters'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$/, 'must be 1-128 letters, digits, spaces, "_", "." or "-", starting with a letter or digit');
const description = z
  .string(says('must be a string'))
  .max(2000, 'must be at most 2000 characters')
  .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte')
  .nullable();
const config = z.record(z.string(), z.unknown(), says('must be an object'));

/** Body of POST /connections; `config` is then validated by the schema of `type`. */
export const createConnectionRequest = z.strictObject({
  name,
  type: z.enum(CONNECTION_TYPES, says(`must be one of ${CONNECTION_TYPES.map((t) => `"${t}"`).join(', ')}`)),
  description: description.optional(),
  config,
});
export type CreateConnectionRequest = z.output<typeof createConnectionRequest>;

/** Body of PATCH /connections/{id}: `config` is a JSON merge patch (secrets: see applyConfigPatch). */
export const updateConnectionRequest = z
  .strictObject({ name: name.optional(), description: description.optional(), config: config.optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.config !== undefined, 'must change at least one of name, description, config');
export type UpdateConnectionRequest = z.output<typeof updateConnectionRequest>;

export const listConnectionsQuery = z.strictObject({
  type: z.enum(CONNECTION_TYPES, says(`must be one of ${CONNECTION_TYPES.map((t) => `"${t}"`).join(', ')}`)).optional(),
  limit: z.coerce.number(says('must be an integer between 1 and 1000')).int('must be an integer between 1 and 1000').min(1, 'must be an integer between 1 and 1000').max(1000, 'must be an integer between 1 and 1000').default(100),
  offset: z.coerce.number(says('must be a non-negative integer')).int('must be a non-negative integer').min(0, 'must be a non-negative integer').default(0),
});
export type ListConnectionsQuery = z.output<typeof listConnectionsQuery>;
