import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { embeddedServices } from '../src/embedded.services';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** Each service module must boot alone (standalone mode) on its own fresh database. */
describe.each(embeddedServices.map((def) => [def.service, def] as const))('service %s standalone', (name, def) => {
  let db: TestDatabase;
  let app: INestApplication | undefined;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase(`ff_${name.slice(0, 8)}`);
    // A standalone catalog needs its master key (only the embedded host generates one).
    const env = { DATABASE_URL: db.url, FLOWFORGE_MASTER_KEY: randomBytes(32).toString('base64') };
    const config = loadHostConfig({ host: name, services: [def], env, requireDatabaseUrl: true });
    app = await createHostApp({ mode: 'standalone', host: name, services: [def], config, logger: quiet, port: 0 });
    const port = await startHostApp(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers /health/live and /health/ready with its own db check and the bus', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect({ status: ready.status, body }).toEqual({ status: 200, body: { status: 'up', checks: { [`${name}.db`]: 'up', bus: 'up' } } });
  });

  it('created its schema and recorded its migrations there', async () => {
    const ds = app!.get<import('typeorm').DataSource>(`flowforge.data-source.${name}`);
    const rows = (await ds.query(`SELECT count(*)::int AS n FROM "ff_${name}".typeorm_migrations`)) as { n: number }[];
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('answers unknown routes with problem+json', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'FF_NOT_FOUND', instance: '/nope' });
  });
});
