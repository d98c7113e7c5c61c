import { Controller, Injectable, Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Writable } from 'node:stream';
import { BusContext, OnEvent } from '@flowforge/bus';
import { EchoRequested, type EchoRequestedEvent } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { createLogger } from '../logging/logger';
import { EVENT_BUS } from '../tokens';
import type { EventBus } from '@flowforge/bus';
import { createHostApp, defineService, loadHostConfig, startHostApp } from '.';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

const counts = { init: 0, bootstrap: 0, handled: 0 };

/** A provider with the hooks the services' loops and sweepers start from. */
@Injectable()
class Hooked implements OnModuleInit, OnApplicationBootstrap {
  onModuleInit(): void {
    counts.init++;
  }
  onApplicationBootstrap(): void {
    counts.bootstrap++;
  }
}

/** And a bus handler, which the deferred bus transport must still register. */
@Controller()
class EchoHandler {
  @OnEvent(EchoRequested, { group: 'lifecycle-test' })
  handle(@Payload() _e: EchoRequestedEvent, @Ctx() _ctx: BusContext): void {
    counts.handled++;
  }
}

@Module({ providers: [Hooked], controllers: [EchoHandler] })
class HookedModule {}
const hookedService = defineService({ service: 'lineage', module: HookedModule });

/**
 * The host app (HTTP + the bus transport as a deferred hybrid microservice) runs each module's
 * onModuleInit and onApplicationBootstrap once. Nest's deferred microservice ran them a second time when it
 * started listening, which started every loop and sweeper of the services twice.
 */
describe('host app lifecycle hooks', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('ff_kit_hooks');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs onModuleInit and onApplicationBootstrap once, and still registers the bus handlers', async () => {
    const config = loadHostConfig({ host: 'lineage', services: [hookedService], env: { DATABASE_URL: db.url }, requireDatabaseUrl: true });
    const app = await createHostApp({ mode: 'standalone', host: 'lineage', services: [hookedService], config, logger: quiet, port: 0 });
    try {
      await startHostApp(app, 0, '127.0.0.1');
      expect({ init: counts.init, bootstrap: counts.bootstrap }).toEqual({ init: 1, bootstrap: 1 });
      await app.get<EventBus>(EVENT_BUS).publish(EchoRequested, { echoId: '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e', message: 'hi' }, { key: 'k' });
      const deadline = Date.now() + 15_000;
      while (counts.handled === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(counts.handled).toBe(1);
    } finally {
      await app.close();
    }
  });
});
