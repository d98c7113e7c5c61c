import { cdcNames, changeTopic, connectorConfig } from './debezium-connector.factory';

describe('Debezium connector per trigger', () => {
  it('names the connector, topics, slot and publication after the trigger id', () => {
    const n = cdcNames('0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33');
    expect(n).toMatchObject({
      connector: 'flowforge-cdc-0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33',
      topicPrefix: 'flowforge-cdc-0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33',
      slot: 'flowforge_cdc_0b6f3e1c8d2a4c1e9f00aa11bb22cc33',
      publication: 'flowforge_cdc_0b6f3e1c8d2a4c1e9f00aa11bb22cc33',
      schemaHistoryTopic: 'flowforge-cdc-0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33.schema-history',
      consumerGroup: 'flowforge-cdc-0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33',
    });
    expect(changeTopic(n, 'public.orders')).toBe('flowforge-cdc-0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33.public.orders');
    expect(n.serverId).toBeGreaterThanOrEqual(100_000);
    expect(n.serverId).toBe(cdcNames('0b6f3e1c-8d2a-4c1e-9f00-aa11bb22cc33').serverId);
  });

  it('keeps slot names valid and distinct for long or odd ids', () => {
    const a = cdcNames('X'.repeat(80) + '-a');
    const b = cdcNames('X'.repeat(80) + '-b');
    for (const n of [a, b]) {
      expect(n.slot).toMatch(/^[a-z0-9_]{1,63}$/);
      expect(n.connector).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
    expect(a.slot).not.toBe(b.slot);
    expect(a.serverId).not.toBe(b.serverId);
  });

  it('PostgreSQL: pgoutput, the trigger slot and a filtered publication, JSON without schemas, no data snapshot', () => {
    const n = cdcNames('t1');
    const c = connectorConfig(
      'postgres',
      n,
      { tables: ['public.orders', 'sales.items'] },
      { type: 'postgres', host: 'db', port: 5432, database: 'shop', user: 'cdc', password: 'pw' },
      ['k:9092'],
    );
    expect(c).toMatchObject({
      name: 'flowforge-cdc-t1',
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': 'db',
      'database.port': '5432',
      'database.dbname': 'shop',
      'database.user': 'cdc',
      'database.password': 'pw',
      'plugin.name': 'pgoutput',
      'slot.name': 'flowforge_cdc_t1',
      'publication.name': 'flowforge_cdc_t1',
      'publication.autocreate.mode': 'filtered',
      'table.include.list': 'public.orders,sales.items',
      'snapshot.mode': 'no_data',
      'value.converter.schemas.enable': 'false',
      'key.converter.schemas.enable': 'false',
      'decimal.handling.mode': 'string',
      'poll.interval.ms': '100',
    });
    expect(c['schema.history.internal.kafka.topic']).toBeUndefined();
  });

  it('MariaDB: its connector, a server id, the schema history topic on the given brokers, the databases', () => {
    const n = cdcNames('t2');
    const c = connectorConfig('mariadb', n, { tables: ['shop.orders', 'shop.items', 'crm.people'] }, { type: 'mysql', host: 'm', port: 3306, user: 'root' }, [
      'k1:9092',
      'k2:9092',
    ]);
    expect(c).toMatchObject({
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.server.id': String(n.serverId),
      'database.include.list': 'shop,crm',
      'table.include.list': 'shop.orders,shop.items,crm.people',
      'database.password': '',
      'schema.history.internal.kafka.bootstrap.servers': 'k1:9092,k2:9092',
      'schema.history.internal.kafka.topic': 'flowforge-cdc-t2.schema-history',
      'include.schema.changes': 'false',
    });
    expect(c['slot.name']).toBeUndefined();
  });
});
