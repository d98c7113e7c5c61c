import { createHash } from 'node:crypto';
import type { CdcConfig } from './cdc.config';
import type { CdcConnection } from './cdc-connection.port';
import type { ConnectorConfig } from './kafka-connect.client';

/** Which Debezium connector reads the database. */
export type CdcDatabaseKind = 'postgres' | 'mariadb' | 'mysql';

const CONNECTOR_CLASS: Record<CdcDatabaseKind, string> = {
  postgres: 'io.debezium.connector.postgresql.PostgresConnector',
  mariadb: 'io.debezium.connector.mariadb.MariaDbConnector',
  mysql: 'io.debezium.connector.mysql.MySqlConnector',
};

/** Everything named after the trigger: the connector, its topics, the slot and publication, the consumer group. */
export interface CdcNames {
  connector: string;
  /** topic.prefix: the change topics are `<prefix>.<schema>.<table>`. */
  topicPrefix: string;
  /** PostgreSQL replication slot and publication (lower-case letters, digits, _; at most 63). */
  slot: string;
  publication: string;
  schemaHistoryTopic: string;
  heartbeatTopic: string;
  consumerGroup: string;
  /** MariaDB/MySQL: the replica server id the connector reads the binlog as (unique per trigger, never 1). */
  serverId: number;
}

export function cdcNames(triggerId: string): CdcNames {
  const hash = createHash('sha256').update(triggerId).digest();
  const safe = triggerId.toLowerCase().replace(/[^a-z0-9]/g, '');
  // A trigger id too long for a slot name keeps its start and gains a hash of the whole, so names stay distinct.
  const slotId = safe.length <= 48 ? safe : `${safe.slice(0, 36)}${hash.toString('hex').slice(0, 12)}`;
  const topicId = triggerId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 180);
  const connector = `flowforge-cdc-${topicId}`;
  return {
    connector,
    topicPrefix: connector,
    slot: `flowforge_cdc_${slotId}`,
    publication: `flowforge_cdc_${slotId}`,
    schemaHistoryTopic: `${connector}.schema-history`,
    heartbeatTopic: `__debezium-heartbeat.${connector}`,
    consumerGroup: connector,
    serverId: 100_000 + (hash.readUInt32BE(0) % 2_000_000_000),
  };
}

/** The change topic of one `schema.table`. */
export const changeTopic = (names: CdcNames, table: string): string => `${names.topicPrefix}.${table}`;

/**
 * The Debezium connector config for one trigger. JSON converters WITHOUT schemas (the worker default has
 * them): each message is the bare envelope, decimals as strings. `no_data` snapshots: only changes made
 * after the connector started fire, existing rows never do.
 */
export function connectorConfig(
  kind: CdcDatabaseKind,
  names: CdcNames,
  config: Pick<CdcConfig, 'tables'>,
  conn: CdcConnection,
  schemaHistoryBrokers: string[],
): ConnectorConfig {
  const common: ConnectorConfig = {
    name: names.connector,
    'connector.class': CONNECTOR_CLASS[kind],
    'tasks.max': '1',
    'topic.prefix': names.topicPrefix,
    'database.hostname': conn.host,
    'database.port': String(conn.port),
    'database.user': conn.user,
    'database.password': conn.password ?? '',
    'table.include.list': config.tables.join(','),
    'snapshot.mode': 'no_data',
    'tombstones.on.delete': 'false',
    'decimal.handling.mode': 'string',
    // Debezium hands Connect a batch every poll interval (default 500 ms): a trigger waits for it.
    'poll.interval.ms': '100',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'topic.creation.default.replication.factor': '-1',
    'topic.creation.default.partitions': '1',
  };
  if (kind === 'postgres') {
    return {
      ...common,
      'database.dbname': conn.database ?? 'postgres',
      'plugin.name': 'pgoutput',
      'slot.name': names.slot,
      'publication.name': names.publication,
      // The publication lists exactly the trigger's tables (and is altered when they change).
      'publication.autocreate.mode': 'filtered',
      'slot.drop.on.stop': 'false',
      // Confirms the slot's position while the captured tables are quiet, so the server can recycle WAL.
      'heartbeat.interval.ms': '30000',
    };
  }
  const databases = [...new Set(config.tables.map((t) => t.split('.')[0]!))];
  return {
    ...common,
    'database.server.id': String(names.serverId),
    'database.include.list': databases.join(','),
    'schema.history.internal.kafka.bootstrap.servers': schemaHistoryBrokers.join(','),
    'schema.history.internal.kafka.topic': names.schemaHistoryTopic,
    'schema.history.internal.store.only.captured.tables.ddl': 'true',
    'schema.history.internal.store.only.captured.databases.ddl': 'true',
    // Schema change events (topic <prefix>) are not row changes: nobody reads them.
    'include.schema.changes': 'false',
  };
}
