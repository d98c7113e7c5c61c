import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cdcConfigSchema } from './cdc.config';
import { CdcSource } from './cdc.source';
import { causeOf, KafkaConnectClient } from './kafka-connect.client';

const config = cdcConfigSchema.parse({
  connection: 'shop',
  tables: ['public.orders'],
  operations: ['insert', 'update'],
  condition: { column: 'status', op: 'eq', value: 'paid' },
});
const resolver = {
  resolve: () => Promise.reject(new Error('not reached')),
};

describe('cdc source', () => {
  it('without a Kafka Connect URL start and remove fail naming FLOWFORGE_KAFKA_CONNECT_URL, before resolving the connection', async () => {
    const source = new CdcSource({ kafkaBrokers: ['127.0.0.1:1'], resolver });
    const trigger = { id: 't', name: 'n', workflow: 'w', type: 'cdc', config };
    await expect(source.start(trigger, () => Promise.reject(new Error('no emit')))).rejects.toMatchObject({
      code: 'FF_CDC_CONNECT_MISSING',
      status: 503,
      message: expect.stringContaining('set FLOWFORGE_KAFKA_CONNECT_URL'),
    });
    await expect(source.remove(trigger)).rejects.toMatchObject({ code: 'FF_CDC_CONNECT_MISSING' });
  });

  it('match() checks a sample batch as the firings are filtered: table, operations, condition', () => {
    const source = new CdcSource({ kafkaBrokers: ['127.0.0.1:1'], resolver });
    const sample = (payload: Record<string, unknown>) => source.match(config, { payload });
    expect(sample({ table: 'public.audit', changes: [] })).toEqual({ matched: false, reason: 'table public.audit is not one of public.orders' });
    expect(sample({ table: 'public.orders', changes: [{ operation: 'delete', before: { status: 'paid' } }] })).toEqual({
      matched: false,
      reason: 'operation is delete, wanted insert|update',
    });
    expect(sample({ table: 'public.orders', changes: [{ operation: 'insert', after: { status: 'new' } }] })).toEqual({
      matched: false,
      reason: '"status" is "new", wanted eq "paid"',
    });
    expect(
      sample({
        table: 'public.orders',
        changes: [
          { operation: 'insert', after: { status: 'new' } },
          { operation: 'update', before: { status: 'new' }, after: { status: 'paid' } },
        ],
      }),
    ).toEqual({ matched: true, reason: '"status" is "paid", wanted eq "paid"' });
    expect(sample({ table: 'public.orders' })).toEqual({ matched: true, reason: 'no changes listed to check' });
  });
});

describe('Kafka Connect client', () => {
  let server: http.Server;
  let url: string;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const cc = { name: 'flowforge-cdc-x', 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.password': 'Sekret-pw' };

  it('a refused config names each field and its reason, with the password scrubbed', async () => {
    answer = {
      status: 200,
      body: {
        error_count: 1,
        configs: [
          { value: null },
          { value: { name: 'database.hostname', errors: [] } },
          { value: { name: 'database.user', errors: ['Unable to connect: Access denied for user (using password Sekret-pw)'] } },
        ],
      },
    };
    const e = await new KafkaConnectClient(url).validate(cc, ['Sekret-pw']).catch((x: Error) => x);
    expect(e).toMatchObject({
      code: 'FF_CDC_CONNECTOR_INVALID',
      message: 'Kafka Connect refused the CDC connector flowforge-cdc-x: database.user: Unable to connect: Access denied for user (using password ***)',
    });
  });

  it('a failed task is reported with the cause from its trace', async () => {
    answer = {
      status: 200,
      body: {
        connector: { state: 'RUNNING' },
        tasks: [
          {
            id: 0,
            state: 'FAILED',
            trace: 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat x.y\nCaused by: io.debezium.DebeziumException: the real reason\n\tat a.b',
          },
        ],
      },
    };
    await expect(new KafkaConnectClient(url).waitRunning('flowforge-cdc-x', 1000)).rejects.toMatchObject({
      code: 'FF_CDC_CONNECTOR_FAILED',
      message: 'CDC connector flowforge-cdc-x failed: io.debezium.DebeziumException: the real reason',
    });
  });

  it('an unreachable Connect names its URL and the variable', async () => {
    await expect(new KafkaConnectClient('http://127.0.0.1:1', { requestTimeoutMs: 2000 }).exists('x')).rejects.toMatchObject({
      code: 'FF_CDC_CONNECT_UNAVAILABLE',
      message: expect.stringContaining('Kafka Connect at http://127.0.0.1:1 (FLOWFORGE_KAFKA_CONNECT_URL) did not answer GET /connectors/x'),
    });
  });

  it('causeOf takes the last Caused by, else the first line', () => {
    expect(causeOf(undefined)).toBe('no reason given');
    expect(causeOf('only line\n\tat a')).toBe('only line');
    expect(causeOf('top\nCaused by: a\nCaused by: b: deepest')).toBe('b: deepest');
  });
});
