import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, InMemorySchemaRegistry } from '@flowforge/contracts';
import { createLogger, EVENT_BUS, LOGGER } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { builtinJobTypes } from '../builtin';
import type { JobType } from '../job-type';
import type { StepExecutor } from '../step.executor';
import { OrchestratorProbe } from '../testing';
import { ExecutorModule, stepExecutorToken } from './executor.module';

jest.setTimeout(60_000);

describe('ExecutorModule.register', () => {
  let db: TestDatabase;
  let bus: PostgresEventBus;
  let probe: OrchestratorProbe;
  let app: INestApplication;
  let pool: Pool;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('ff_exec_nest');
    pool = new Pool({ connectionString: db.url, max: 20 });
    pool.on('error', () => undefined);
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    bus = new PostgresEventBus({
      pool,
      endPoolOnClose: true,
      codec: new AvroCodec(new InMemorySchemaRegistry()),
      producer: 'nest-test',
      pollIntervalMs: 50,
      leaseMs: 1000,
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: new Registry(),
    });
    await bus.migrate();
    probe = await OrchestratorProbe.attach(bus);
    const logger = createLogger({
      service: 'test',
      level: 'debug',
      destination: new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          cb();
        },
      }),
    });

    // What BusModule and KitModule give a real host: EVENT_BUS and LOGGER, globally.
    @Global()
    @Module({
      providers: [
        { provide: EVENT_BUS, useValue: bus },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [EVENT_BUS, LOGGER],
    })
    class FakeHostModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [FakeHostModule, ExecutorModule.register({ executor: 'transformation', jobTypes: builtinJobTypes, instanceId: 'nest-a', leaseMs: 900 })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await probe?.close();
    await bus?.close();
    await db?.drop();
  });

  it('builds the executor from the host bus and starts it with the app', async () => {
    const executor = app.get<StepExecutor>(stepExecutorToken('transformation'));
    expect({ instanceId: executor.instanceId, leaseMs: executor.leaseMs, state: executor.status().state }).toEqual({
      instanceId: 'nest-a',
      leaseMs: 900,
      state: 'running',
    });
    const reg = await probe.waitFor('registration', (h) => h.registered.find((r) => r.instanceId === 'nest-a'));
    expect(reg.executor).toBe('transformation');

    const runId = `run-${randomUUID()}`;
    await probe.dispatch('transformation', { runId, jobType: 'sleep', config: { ms: 300 } });
    expect((await probe.outcome(runId, 'step-1')).completed).toMatchObject({ outputs: '{"sleptMs":300}' });
    // The host's pino logger got the job's lines with the attempt's identity.
    expect(logLines).toContainEqual(
      expect.objectContaining({ component: 'executor', executor: 'transformation', runId, stepId: 'step-1', attempt: 1, msg: 'sleeping' }),
    );
  });

  it('starts once when the host bootstraps twice (a deferred microservice runs onApplicationBootstrap again)', async () => {
    const lifecycle = app.get<{ onApplicationBootstrap(): Promise<void> }>(`${stepExecutorToken('transformation')}.lifecycle`);
    await expect(lifecycle.onApplicationBootstrap()).resolves.toBeUndefined();
    expect(app.get<StepExecutor>(stepExecutorToken('transformation')).status().state).toBe('running');
  });

  it('builds but never starts an executor its host configured off (enabledWhen)', async () => {
    @Global()
    @Module({
      providers: [
        { provide: EVENT_BUS, useValue: bus },
        { provide: 'test.config', useValue: { HOST_QUALITY: 'false' } },
      ],
      exports: [EVENT_BUS, 'test.config'],
    })
    class ConfiguredHostModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfiguredHostModule,
        ExecutorModule.register({
          executor: 'quality',
          jobTypes: builtinJobTypes,
          instanceId: 'nest-off',
          enabledWhen: { inject: 'test.config', when: (c: { HOST_QUALITY: string }) => c.HOST_QUALITY === 'true' },
        }),
      ],
    }).compile();
    const off = moduleRef.createNestApplication({ logger: false });
    await off.init();
    try {
      expect(off.get<StepExecutor>(stepExecutorToken('quality')).status().state).toBe('idle');
      const runId = `run-${randomUUID()}`;
      await probe.dispatch('quality', { runId, jobType: 'noop', config: {} });
      await new Promise((r) => setTimeout(r, 1_000));
      // Nobody consumed the dispatch and nothing was announced.
      expect(probe.heard.registered.find((r) => r.instanceId === 'nest-off')).toBeUndefined();
      expect(probe.of(runId)).toEqual({ started: [], progress: [], log: [], completed: [], failed: [] });
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ff_bus.consumer_members WHERE group_id LIKE 'executor-quality%'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('builds job types with a factory from providers of an imported module (a job that needs a store or a client)', async () => {
    class Greeter {
      greet(name: string): string {
        return `hello ${name}`;
      }
    }
    @Module({ providers: [Greeter], exports: [Greeter] })
    class GreeterModule {}
    const greetJob = (greeter: Greeter): JobType<{ name: string }> => ({
      type: 'greet',
      version: 1,
      configSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
      execute: async (ctx) => ({ outputs: { greeting: greeter.greet(ctx.config.name) } }),
    });
    @Global()
    @Module({ providers: [{ provide: EVENT_BUS, useValue: bus }], exports: [EVENT_BUS] })
    class BusHostModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        BusHostModule,
        ExecutorModule.register({
          executor: 'reconciliation',
          instanceId: 'nest-factory',
          imports: [GreeterModule],
          inject: [Greeter],
          jobTypes: (greeter: Greeter) => [greetJob(greeter)],
        }),
      ],
    }).compile();
    const withFactory = moduleRef.createNestApplication({ logger: false });
    await withFactory.init();
    try {
      const reg = await probe.waitFor('registration', (h) => h.registered.find((r) => r.instanceId === 'nest-factory'));
      expect(reg.jobTypes.map((t) => t.type)).toEqual(['greet']);
      const runId = `run-${randomUUID()}`;
      await probe.dispatch('reconciliation', { runId, jobType: 'greet', config: { name: 'ada' } });
      expect((await probe.outcome(runId, 'step-1')).completed).toMatchObject({ outputs: '{"greeting":"hello ada"}' });
    } finally {
      await withFactory.close();
    }
  });

  it('stops the executor when the app closes, interrupting the running attempt', async () => {
    const runId = `run-${randomUUID()}`;
    await probe.dispatch('transformation', { runId, jobType: 'sleep', config: { ms: 600_000 } });
    await probe.started(runId, 'step-1');
    const executor = app.get<StepExecutor>(stepExecutorToken('transformation'));
    await app.close();
    expect(executor.status().state).toBe('stopped');
    expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({ errorCode: 'FF_STEP_INTERRUPTED', retryable: true });
  });
});
