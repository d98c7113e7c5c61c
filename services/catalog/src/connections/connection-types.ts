import path from 'node:path';
import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import type { ConnectionType } from '@flowforge/http';

// The list of types is part of the public API (libs/http/src/catalog/connection.requests.ts); the config
// schema of each is the catalog's alone.
export type { ConnectionType };

const host = () =>
  z.string(says('must be a host name or IP address')).trim().min(1, 'must be a host name or IP address').max(253, 'must be at most 253 characters');
const port = (def: number) =>
  z
    .number(says('must be an integer between 1 and 65535'))
    .int('must be an integer between 1 and 65535')
    .min(1, 'must be an integer between 1 and 65535')
    .max(65535, 'must be an integer between 1 and 65535')
    .default(def);
const text = (what: string) =>
  z
    .string(says(`must be ${what}`))
    .min(1, `must be ${what}`)
    .max(1000, 'must be at most 1000 characters');
const secret = (what: string) =>
  z
    .string(says(`must be ${what} (a string)`))
    .min(1, 'must not be empty')
    .max(65_536, 'must be at most 64 KiB');
const flag = () => z.boolean(says('must be true or false')).default(false);
/** A folder on a file server (sftp, ftp, smb): absolute or relative to the login folder; `..` refused outright. */
const serverFolder = () =>
  z
    .string(says('must be a folder path such as /data/in'))
    .max(1024, 'must be at most 1024 characters')
    .refine((p) => !/[\u0000-\u001f]/.test(p), 'must not contain control characters')
    .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')
    .optional();
/**
 * Outbound calls refuse loopback, private, link-local and cloud-metadata addresses unless this is true
 * (libs/connectors/src/network-guard.ts); only an administrator may set it (ConnectionsService).
 */
const allowPrivateNetworks = flag;
/** Strings with a NUL byte reach neither jsonb nor a driver: refused here, naming the field. */
const NO_NUL = (v: string) => !v.includes('\u0000');
const httpUrl = (example: string) =>
  z.string(says(`must be an http:// or https:// URL, e.g. ${example}`)).refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be an http:// or https:// URL, e.g. ${example}`);

const postgres = z.strictObject({
  host: host(),
  port: port(5432),
  database: text('a database name'),
  user: text('a user name'),
  password: secret('the password').optional(),
  ssl: flag(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

const mysql = z.strictObject({
  host: host(),
  port: port(3306),
  database: text('a database name').optional(),
  user: text('a user name'),
  password: secret('the password').optional(),
  ssl: flag(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

const s3 = z
  .strictObject({
    bucket: z
      .string(says('must be an S3 bucket name'))
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)'),
    region: z.string(says('must be a region such as eu-west-1')).min(1, 'must be a region such as eu-west-1').default('us-east-1'),
    endpoint: httpUrl('http://minio:9000').optional(),
    forcePathStyle: flag(),
    prefix: z.string(says('must be a key prefix')).max(1024, 'must be at most 1024 characters').optional(),
    accessKeyId: text('an access key id').optional(),
    secretAccessKey: secret('the secret access key').optional(),
    allowPrivateNetworks: allowPrivateNetworks(),
  })
  .superRefine((c, ctx) => {
    if (c.accessKeyId !== undefined && c.secretAccessKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'is required when accessKeyId is set' });
    }
    if (c.accessKeyId === undefined && c.secretAccessKey !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'is required when secretAccessKey is set' });
    }
  });

const local = z.strictObject({
  path: z
    .string(says('must be an absolute directory path'))
    .min(1, 'must be an absolute directory path')
    .max(4096, 'must be at most 4096 characters')
    .refine(NO_NUL, 'must not contain a NUL byte')
    .refine((p) => path.isAbsolute(p), 'must be an absolute directory path')
    // `..` could leave the configured roots before symlinks are even looked at: refused outright.
    .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".." segments'),
});

const sftp = z
  .strictObject({
    host: host(),
    port: port(22),
    user: text('a user name'),
    password: secret('the password').optional(),
    privateKey: secret('a PEM private key').optional(),
    passphrase: secret('the private key passphrase').optional(),
    path: serverFolder(),
    allowPrivateNetworks: allowPrivateNetworks(),
  })
  .superRefine((c, ctx) => {
    if (c.password === undefined && c.privateKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required unless privateKey is set' });
    }
  });

/** FTP, or FTPS (TLS explicit via AUTH TLS, or implicit from the first byte); passive mode. */
const ftp = z.strictObject({
  host: host(),
  port: port(21),
  user: text('a user name'),
  password: secret('the password'),
  secure: z
    .union([z.literal(false), z.literal('explicit'), z.literal('implicit')], says('must be false, "explicit" (AUTH TLS) or "implicit" (TLS from the start)'))
    .default(false),
  /** A CA certificate (PEM) to trust besides the system's: a private CA or a self-signed server. Not a secret. */
  caCertificate: z
    .string(says('must be a PEM certificate'))
    .max(65_536, 'must be at most 64 KiB')
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)')
    .optional(),
  path: serverFolder(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

/** Characters SMB names cannot hold (and smbclient would read as wildcards or quotes). */
const SMB_FORBIDDEN = /["*?<>|:\\]/;

/** A share of an SMB server (Windows, Samba, NAS), through smbclient: SMB2/3, NTLMv2 or Kerberos. */
const smb = z.strictObject({
  host: host(),
  port: port(445),
  share: z
    .string(says('must be a share name'))
    .min(1, 'must be a share name')
    .max(80, 'must be at most 80 characters')
    .regex(/^[^\\/\[\]:|<>+=;,*?"\u0000-\u001f]+$/, 'must be a share name (no / \\ [ ] : | < > + = ; , * ? " or control characters)'),
  domain: z
    .string(says('must be a domain or workgroup name'))
    .min(1, 'must be a domain or workgroup name')
    .max(255, 'must be at most 255 characters')
    .regex(/^[^\s"\u0000-\u001f]+$/, 'must be a domain or workgroup name (no spaces, quotes or control characters)')
    .optional(),
  user: text('a user name').refine((v) => !/[%\u0000-\u001f]/.test(v), 'must not contain "%" or control characters'),
  password: secret('the password'),
  path: serverFolder().refine((p) => p === undefined || !SMB_FORBIDDEN.test(p), 'must not contain any of " * ? < > | : \\ (SMB names cannot)'),
  allowPrivateNetworks: allowPrivateNetworks(),
});

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const http = z.strictObject({
  baseUrl: httpUrl('https://api.example.com/v1'),
  /** Sent with every request; secret as a whole (they usually carry API keys). */
  headers: z
    .record(
      z.string().regex(HEADER_NAME, 'must be a valid HTTP header name'),
      z.string(says('must be a header value (a string)')).max(8192, 'must be at most 8192 characters'),
      says('must be an object of header names to values'),
    )
    .optional(),
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  token: secret('a bearer token').optional(),
  allowPrivateNetworks: allowPrivateNetworks(),
  timeoutMs: z
    .number(says('must be an integer between 100 and 60000'))
    .int('must be an integer between 100 and 60000')
    .min(100, 'must be an integer between 100 and 60000')
    .max(60_000, 'must be an integer between 100 and 60000')
    .default(10_000),
  /** Path (relative to baseUrl) the connection test requests. */
  testPath: z.string(says('must be a path such as /health')).max(2048, 'must be at most 2048 characters').optional(),
  testMethod: z.enum(['HEAD', 'GET'], says('must be one of "HEAD", "GET"')).default('HEAD'),
});

const kafka = z.strictObject({
  brokers: z
    .array(
      z.string(says('must be host:port')).regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s,:[\]\u0000]+):\d{1,5}$/, 'must be host:port'),
      says('must be a list of host:port brokers'),
    )
    .min(1, 'must list at least one broker'),
  clientId: text('a client id').optional(),
  ssl: flag(),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], says('must be one of "plain", "scram-sha-256", "scram-sha-512"')),
      username: text('a user name'),
      password: secret('the password'),
    })
    .optional(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

const keyPrefix = () =>
  z
    .string(says('must be a folder path such as landing/in'))
    .max(1024, 'must be at most 1024 characters')
    .refine(NO_NUL, 'must not contain a NUL byte')
    .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')
    .optional();

/** Google Cloud Storage through its XML (S3-compatible) API with a service account's HMAC key. */
const gcs = z.strictObject({
  bucket: z
    .string(says('must be a GCS bucket name'))
    .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'must be a GCS bucket name (3-222 lower-case letters, digits, dots, "-" and "_")'),
  prefix: keyPrefix(),
  hmacAccessId: text('an HMAC access id (GOOG1...)'),
  hmacSecret: secret('the HMAC secret'),
  endpoint: httpUrl('https://storage.googleapis.com').optional(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

/** Azure Blob Storage: exactly one of accountKey, sasToken, connectionString. */
const azure = z
  .strictObject({
    account: z.string(says('must be a storage account name')).regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name (3-24 lower-case letters and digits)'),
    container: z
      .string(says('must be a container name'))
      .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be a container name (3-63 lower-case letters, digits and single hyphens)'),
    prefix: keyPrefix(),
    accountKey: secret('the account key').optional(),
    sasToken: secret('a SAS token').optional(),
    connectionString: secret('a connection string').optional(),
    /** The blob service URL when not https://<account>.blob.core.windows.net (Azurite, sovereign clouds, private endpoints). */
    endpoint: httpUrl('https://myaccount.blob.core.windows.net').optional(),
    allowPrivateNetworks: allowPrivateNetworks(),
  })
  .superRefine((c, ctx) => {
    const given = (['accountKey', 'sasToken', 'connectionString'] as const).filter((k) => c[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: ['accountKey'], message: 'one of accountKey, sasToken or connectionString is required' });
    for (const k of given.slice(1))
      ctx.addIssue({ code: 'custom', path: [k], message: `only one of accountKey, sasToken, connectionString may be set (${given[0]} is)` });
  });

// ---- Warehouse destinations (the transformation service's `export` job, issue 14) ----------------------
// Their fields reach a driver's login packet or a URL: bounded, and without NUL or control characters.

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** A name a warehouse knows (database, user, schema, role…): 1-`max` characters, no NUL or control characters. */
const warehouseName = (what: string, max = 255) =>
  z
    .string(says(`must be ${what}`))
    .min(1, `must be ${what}`)
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_CHARS.test(v), 'must not contain NUL bytes or control characters');
const warehouseHost = () =>
  host().refine((v) => !CONTROL_CHARS.test(v) && !/\s/.test(v), 'must be a host name or IP address (no spaces or control characters)');
/** A secret of a warehouse connection; the messages never show the value. */
const warehouseSecret = (what: string) => secret(what).refine(NO_NUL, 'must not contain a NUL byte');
const onByDefault = () => z.boolean(says('must be true or false')).default(true);
const PEM_PRIVATE_KEY = /-----BEGIN (ENCRYPTED |RSA )?PRIVATE KEY-----/;

/** Amazon Redshift: the PostgreSQL wire protocol (the `pg` driver), TLS on by default as Redshift clusters expect. */
const redshift = z.strictObject({
  /** The cluster or serverless workgroup endpoint, e.g. examplecluster.abc123.eu-west-1.redshift.amazonaws.com. */
  host: warehouseHost(),
  port: port(5439),
  database: warehouseName('a database name', 127),
  user: warehouseName('a user name', 128),
  password: warehouseSecret('the password'),
  ssl: onByDefault(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

/** Azure Synapse Analytics (dedicated or serverless SQL pool) over TDS, through the `mssql` driver. */
const synapse = z.strictObject({
  /** The workspace's SQL endpoint, e.g. myworkspace.sql.azuresynapse.net (serverless: myworkspace-ondemand…). */
  server: warehouseHost(),
  port: port(1433),
  database: warehouseName('a database (SQL pool) name', 128),
  user: warehouseName('a user name', 128),
  password: warehouseSecret('the password'),
  encrypt: onByDefault(),
  /** True accepts any server certificate (a test server's self-signed one); never needed for Azure itself. */
  trustServerCertificate: flag(),
  allowPrivateNetworks: allowPrivateNetworks(),
});

/**
 * A Snowflake account identifier as its URL uses it: `orgname-accountname`, or the legacy locator with
 * region (and cloud), e.g. `xy12345.eu-central-1`, `xy12345.us-east-2.aws`, `xy12345.eu-central-1.privatelink`.
 */
const snowflakeAccount = z
  .string(says('must be a Snowflake account identifier such as xy12345.eu-central-1 or myorg-myaccount'))
  .max(255, 'must be at most 255 characters')
  .refine(
    (v) => !/\.snowflakecomputing\.com\.?$/i.test(v) && !v.includes('://'),
    'must be the account identifier only, without https:// or .snowflakecomputing.com',
  )
  .refine(
    (v) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9_-]{0,62}){0,3}$/.test(v) || /\.snowflakecomputing\.com\.?$/i.test(v) || v.includes('://'),
    'must be a Snowflake account identifier such as xy12345.eu-central-1 or myorg-myaccount',
  );

/** Snowflake: exactly one of password and privateKey (key-pair authentication, an RSA key in PEM). */
const snowflake = z
  .strictObject({
    account: snowflakeAccount,
    username: warehouseName('a user name'),
    password: warehouseSecret('the password').optional(),
    /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, or ENCRYPTED with privateKeyPassphrase). */
    privateKey: warehouseSecret('a PEM private key')
      .refine((v) => PEM_PRIVATE_KEY.test(v), 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)')
      .optional(),
    privateKeyPassphrase: warehouseSecret('the private key passphrase').optional(),
    warehouse: warehouseName('a warehouse name'),
    database: warehouseName('a database name'),
    schema: warehouseName('a schema name'),
    role: warehouseName('a role name').optional(),
    /** PrivateLink account hosts resolve to addresses of the customer's own network. */
    allowPrivateNetworks: allowPrivateNetworks(),
  })
  .superRefine((c, ctx) => {
    if (c.password === undefined && c.privateKey === undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'one of password or privateKey is required' });
    if (c.password !== undefined && c.privateKey !== undefined)
      ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'only one of password, privateKey may be set (password is)' });
    if (c.privateKeyPassphrase !== undefined && c.privateKey === undefined)
      ctx.addIssue({ code: 'custom', path: ['privateKeyPassphrase'], message: 'is allowed only with privateKey' });
  });

/** The fields of a Google service account JSON key file the export job uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  project_id?: string;
}

/**
 * Reads a service account JSON key file's text; null when it is not one (not JSON, not an object, or
 * without a string `client_email` and `private_key`). Used by the bigquery schema and its users.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const k = parsed as Record<string, unknown>;
  if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string') return null;
  return { client_email: k.client_email, private_key: k.private_key, ...(typeof k.project_id === 'string' ? { project_id: k.project_id } : {}) };
}

/** The service account key as text; each message names what is wrong, never a part of the value. */
const serviceAccountKey = warehouseSecret("the service account's JSON key file text").superRefine((v, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be the text of a service account JSON key file (it does not parse as JSON)' });
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    ctx.addIssue({ code: 'custom', message: 'must be the text of a service account JSON key file (a JSON object)' });
    return;
  }
  const k = parsed as Record<string, unknown>;
  const missing = (['client_email', 'private_key'] as const).filter((f) => typeof k[f] !== 'string' || k[f] === '');
  if (missing.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must be a service account JSON key: ${missing.map((f) => `"${f}"`).join(' and ')} missing` });
    return;
  }
  if (k.type !== undefined && k.type !== 'service_account')
    ctx.addIssue({ code: 'custom', message: 'must be a service account key ("type": "service_account"), not user or external-account credentials' });
  else if (!PEM_PRIVATE_KEY.test(String(k.private_key)))
    ctx.addIssue({ code: 'custom', message: 'must be a service account JSON key whose "private_key" is a PEM private key' });
});

/** Google BigQuery: a project, a dataset, and a service account key (the API endpoint is Google's, fixed). */
const bigquery = z.strictObject({
  projectId: z
    .string(says('must be a Google Cloud project id'))
    .regex(
      /^([a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      'must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens, starting with a letter)',
    ),
  dataset: z.string(says('must be a dataset name')).regex(/^[A-Za-z0-9_]{1,1024}$/, 'must be a dataset name (1-1024 letters, digits and underscores)'),
  /** Where the dataset lives and jobs run, e.g. EU, US, europe-west3. */
  location: z
    .string(says('must be a BigQuery location such as EU, US or europe-west3'))
    .regex(/^[A-Za-z][A-Za-z0-9-]{1,63}$/, 'must be a BigQuery location such as EU, US or europe-west3')
    .optional(),
  credentials: serviceAccountKey,
});

/** What the catalog knows about one connection type: its config schema and which fields are secrets. */
export interface ConnectionTypeSpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** Dot paths of secret fields: encrypted at rest, never returned, logged or published. */
  readonly secretFields: readonly string[];
}

export const CONNECTION_SPECS = {
  postgres: { schema: postgres, secretFields: ['password'] },
  mysql: { schema: mysql, secretFields: ['password'] },
  s3: { schema: s3, secretFields: ['secretAccessKey'] },
  local: { schema: local, secretFields: [] },
  sftp: { schema: sftp, secretFields: ['password', 'privateKey', 'passphrase'] },
  ftp: { schema: ftp, secretFields: ['password'] },
  smb: { schema: smb, secretFields: ['password'] },
  http: { schema: http, secretFields: ['headers', 'token'] },
  kafka: { schema: kafka, secretFields: ['sasl.password'] },
  gcs: { schema: gcs, secretFields: ['hmacSecret'] },
  azure: { schema: azure, secretFields: ['accountKey', 'sasToken', 'connectionString'] },
  redshift: { schema: redshift, secretFields: ['password'] },
  synapse: { schema: synapse, secretFields: ['password'] },
  snowflake: { schema: snowflake, secretFields: ['password', 'privateKey', 'privateKeyPassphrase'] },
  bigquery: { schema: bigquery, secretFields: ['credentials'] },
} as const satisfies Record<ConnectionType, ConnectionTypeSpec>;

export type ConnectionConfigOf<T extends ConnectionType> = z.output<(typeof CONNECTION_SPECS)[T]['schema']>;
export type PostgresConfig = ConnectionConfigOf<'postgres'>;
export type MysqlConfig = ConnectionConfigOf<'mysql'>;
export type S3Config = ConnectionConfigOf<'s3'>;
export type LocalConfig = ConnectionConfigOf<'local'>;
export type SftpConfig = ConnectionConfigOf<'sftp'>;
export type FtpConfig = ConnectionConfigOf<'ftp'>;
export type SmbConfig = ConnectionConfigOf<'smb'>;
export type HttpConfig = ConnectionConfigOf<'http'>;
export type KafkaConfig = ConnectionConfigOf<'kafka'>;
export type GcsConfig = ConnectionConfigOf<'gcs'>;
export type AzureConfig = ConnectionConfigOf<'azure'>;
export type RedshiftConfig = ConnectionConfigOf<'redshift'>;
export type SynapseConfig = ConnectionConfigOf<'synapse'>;
export type SnowflakeConfig = ConnectionConfigOf<'snowflake'>;
export type BigQueryConfig = ConnectionConfigOf<'bigquery'>;
