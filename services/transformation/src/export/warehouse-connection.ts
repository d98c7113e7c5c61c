import { ForbiddenAddressError, resolvePublicTarget } from '@flowforge/connectors';
import { JobError } from '@flowforge/executor';
import type { WarehouseKind } from '@flowforge/transform';

/** The fields each export destination takes from its catalog connection (libs/transform/src/export refuses any other). */
const FIELDS: Record<Exclude<WarehouseKind, 'bigquery'>, string[]> = {
  redshift: ['host', 'port', 'database', 'user', 'password', 'ssl'],
  synapse: ['server', 'port', 'database', 'user', 'password', 'encrypt'],
  snowflake: ['account', 'username', 'password', 'privateKey', 'warehouse', 'database', 'role'],
};

/**
 * A catalog connection's config (services/catalog connection types redshift, synapse, snowflake, bigquery)
 * as the export destination expects it (libs/transform/src/export): the fields it takes, BigQuery's
 * service-account key (kept whole by the catalog as `credentials`) taken apart. The host is checked against
 * the outbound address policy first — a private, loopback or metadata address needs the connection's
 * `allowPrivateNetworks`, which only an administrator may set — as the catalog's connection tests do.
 * A connection of another type than the destination is refused, naming both.
 */
export async function warehouseConnectionConfig(kind: WarehouseKind, type: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (type !== kind) {
    throw new JobError('FF_EXPORT_CONFIG', `destination kind ${kind} needs a ${kind} connection; this one is of type ${type}`, { retryable: false });
  }
  const allowPrivate = config.allowPrivateNetworks === true;
  if (kind === 'bigquery') {
    let key: { client_email?: unknown; private_key?: unknown } = {};
    try {
      key = JSON.parse(String(config.credentials ?? '{}')) as typeof key;
    } catch {
      // reported below without the text
    }
    if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
      throw new JobError('FF_EXPORT_CONFIG', "the bigquery connection's credentials are not a service-account key (client_email, private_key)", {
        retryable: false,
      });
    }
    return {
      projectId: config.projectId,
      clientEmail: key.client_email,
      privateKey: key.private_key,
      ...(config.location ? { location: config.location } : {}),
    };
  }
  const host = kind === 'redshift' ? String(config.host) : kind === 'synapse' ? String(config.server) : `${String(config.account)}.snowflakecomputing.com`;
  try {
    await resolvePublicTarget(host, allowPrivate);
  } catch (err) {
    if (err instanceof ForbiddenAddressError) {
      throw new JobError('FF_CONN_FORBIDDEN_ADDRESS', `${kind} connection: ${err.message} (an administrator may set allowPrivateNetworks on the connection)`, {
        retryable: false,
      });
    }
    throw new JobError('FF_EXPORT_DESTINATION', `${kind} connection: host ${host} did not resolve (${(err as Error).message})`, { retryable: true });
  }
  return Object.fromEntries(FIELDS[kind].filter((f) => config[f] !== undefined && config[f] !== null).map((f) => [f, config[f]]));
}
