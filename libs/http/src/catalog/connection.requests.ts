import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { requestSchema } from '../openapi/zod-openapi';
import { limitQuery, offsetQuery } from '../params/page.query';

/** The connection types the catalog knows; it validates each type's config in depth (400 naming `config.<field>`). */
export const CONNECTION_TYPES = [
  'postgres',
  'mysql',
  's3',
  'local',
  'sftp',
  'http',
  'kafka',
  'gcs',
  'azure',
  'ftp',
  'smb',
  'redshift',
  'synapse',
  'snowflake',
  'bigquery',
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export function isConnectionType(value: unknown): value is ConnectionType {
  return typeof value === 'string' && (CONNECTION_TYPES as readonly string[]).includes(value);
}

const connectionType = z.enum(CONNECTION_TYPES, says(`must be one of ${CONNECTION_TYPES.map((t) => `"${t}"`).join(', ')}`));
/**
 * Names the platform gives locations of its own, which no connection may take: `uploads` is the folder of
 * files sent to POST /api/v1/uploads (an ingest.file step reads them with `connection: uploads`).
 */
export const RESERVED_CONNECTION_NAMES = ['uploads'] as const;
const nameText = z
  .string(says('must be a name of 1-128 characters'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$/, 'must be 1-128 letters, digits, spaces, "_", "." or "-", starting with a letter or digit');
const name = nameText
  .refine(
    (v) => !(RESERVED_CONNECTION_NAMES as readonly string[]).includes(v.toLowerCase()),
    `must not be one of the reserved names: ${RESERVED_CONNECTION_NAMES.join(', ')}`,
  )
  .describe('1-128 letters, digits, spaces, "_", "." or "-"; unique; not "uploads" (reserved)')
  .meta({ example: 'warehouse' });
/** A connection's name as a path parameter (`/executor/connections/by-name/{name}`). */
export const connectionNameParam = nameText;

/**
 * Who reads a connection's secrets for a step (the headers HostRuntime.executorHeaders sends): the executor,
 * and the run, step and attempt it works for. Audited with the read.
 */
export const executorCallerHeaders = z.object({
  'x-flowforge-executor': z.string(says('must name the executor')).regex(/^[a-z][a-z0-9-]{0,39}$/, 'must name the executor (e.g. "ingestion")'),
  'x-flowforge-run-id': z.string(says('must be the run id')).min(1, 'must be the run id').max(200, 'must be at most 200 characters'),
  'x-flowforge-step-id': z.string(says('must be the step id')).min(1, 'must be the step id').max(200, 'must be at most 200 characters'),
  'x-flowforge-attempt': z.string(says('must be the attempt number')).regex(/^[1-9][0-9]{0,8}$/, 'must be the attempt number (1, 2, ...)'),
});
export type ExecutorCallerHeaders = z.output<typeof executorCallerHeaders>;

const description = z
  .string(says('must be a string'))
  .max(2000, 'must be at most 2000 characters')
  .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte')
  .nullable();
const CONFIG_DOC =
  'Type-specific settings. Secret fields (postgres/mysql/sftp/ftp/smb/redshift/synapse `password`, sftp `privateKey`/`passphrase`, s3 `secretAccessKey`, ' +
  'http `headers`/`token`, kafka `sasl.password`, gcs `hmacSecret`, azure `accountKey`/`sasToken`/`connectionString`, ' +
  'snowflake `password`/`privateKey`/`privateKeyPassphrase`, bigquery `credentials`) are write-only: responses show `{ "set": true|false }` instead. ' +
  'Every type with a host (postgres, mysql, s3 `endpoint`, sftp, ftp, smb, http, kafka, gcs, azure, redshift, synapse, snowflake) refuses loopback, private, link-local and cloud-metadata ' +
  'addresses unless `allowPrivateNetworks: true`, which only settings:configure-system may set (else 403 naming `config.allowPrivateNetworks`). ' +
  'A local `path` must lie in the configured roots (default `<FLOWFORGE_HOME>/landing`), symlinks resolved; else 400 naming `config.path`.';
const config = z.record(z.string(), z.unknown(), says('must be an object'));

/** Body of POST /connections; `config` is then validated by the schema of `type`. */
export const createConnectionRequest = requestSchema(
  'CreateConnectionDto',
  z.strictObject({
    name,
    type: connectionType,
    description: description.optional(),
    config: config.describe(CONFIG_DOC).meta({ example: { host: 'db', port: 5432, database: 'dwh', user: 'etl', password: 's3cret' } }),
  }),
);
export type CreateConnectionRequest = z.output<typeof createConnectionRequest>;

/** Body of PATCH /connections/{id}: `config` is a JSON merge patch (secrets: see the catalog's applyConfigPatch). */
export const updateConnectionRequest = requestSchema(
  'UpdateConnectionDto',
  z
    .strictObject({
      name: name.optional(),
      description: description.optional(),
      config: config
        .describe(
          `JSON merge patch of the config (null removes a field). ${CONFIG_DOC} Sending \`{ "set": true }\` back keeps a stored secret, \`{ "set": false }\` clears it.`,
        )
        .optional(),
    })
    .refine((b) => b.name !== undefined || b.description !== undefined || b.config !== undefined, 'must change at least one of name, description, config'),
);
export type UpdateConnectionRequest = z.output<typeof updateConnectionRequest>;

export const listConnectionsQuery = z.strictObject({ type: connectionType.optional(), limit: limitQuery(1000, 100), offset: offsetQuery });
export type ListConnectionsQuery = z.output<typeof listConnectionsQuery>;

/** Query of GET /connections/{id}/browse: a folder relative to the connection's root ('' = the root). */
export const browseConnectionQuery = z.strictObject({
  path: z
    .string(says('must be a folder path relative to the connection root'))
    .max(1024, 'must be at most 1024 characters')
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte')
    .default('')
    .describe("Folder relative to the connection's root (directory, bucket prefix, container prefix); empty = the root")
    .meta({ example: 'in/2024' }),
});
export type BrowseConnectionQuery = z.output<typeof browseConnectionQuery>;
