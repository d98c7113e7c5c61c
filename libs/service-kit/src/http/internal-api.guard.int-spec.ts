import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { createHostApp, defineService, loadHostConfig, startHostApp, type HostMode, type HostRuntime } from '../bootstrap';
import { ConfigError } from '../config/config.error';
import { createLogger } from '../logging/logger';
import { HOST_RUNTIME } from '../tokens';
import { generateInternalToken, INTERNAL_TOKEN_HEADER } from './internal-api.guard';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** A service with an internal route and a public one, as every FlowForge service module has. */
@Controller('internal/probe')
class InternalProbeController {
  @Get()
  get(): { internal: true } {
    return { internal: true };
  }
}
@Controller('api/v1/probe')
class PublicProbeController {
  @Get()
  get(): { public: true } {
    return { public: true };
  }
}
@Module({ controllers: [InternalProbeController, PublicProbeController] })
class ProbeModule {}
const probeService = defineService({ service: 'orchestrator', module: ProbeModule });

/**
 * The guard in a real host (createHostApp: Express, the problem filter, the bus, listening on a port):
 * /internal/... answers only the holder of the process's internal token, everything else is untouched.
 */
describe('internal API guard in a host', () => {
  let db: TestDatabase;
  let app: INestApplication | undefined;

  const boot = async (mode: HostMode, env: Record<string, string> = {}) => {
    const host = mode === 'embedded' ? 'embedded' : probeService.service;
    const config = loadHostConfig({ host, services: [probeService], env: { DATABASE_URL: db.url, ...env }, requireDatabaseUrl: true });
    app = await createHostApp({ mode, host, services: [probeService], config, logger: quiet, port: 0 });
    const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    return {
      runtime: app.get<HostRuntime>(HOST_RUNTIME),
      get: (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers }),
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_kit_internal');
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('without FLOWFORGE_INTERNAL_TOKEN (the embedded host): 403 problem+json without its random token, 200 with it', async () => {
    const { runtime, get } = await boot('embedded');
    expect(runtime.internalToken.length).toBeGreaterThanOrEqual(32);

    const refused = await get('/internal/probe?x=1');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toEqual({
      type: 'https://flowforge.dev/problems/internal-api-forbidden',
      title: 'Forbidden',
      status: 403,
      detail: expect.stringContaining(INTERNAL_TOKEN_HEADER),
      instance: '/internal/probe',
      code: 'FF_INTERNAL_API_FORBIDDEN',
    });
    expect((await get('/internal/probe', { [INTERNAL_TOKEN_HEADER]: generateInternalToken() })).status).toBe(403);
    expect((await get('/INTERNAL/probe')).status).toBe(403); // Express routes ignore case; so does the guard

    const served = await get('/internal/probe', runtime.internalHeaders());
    expect({ status: served.status, body: await served.json() }).toEqual({ status: 200, body: { internal: true } });
    expect((await get('/api/v1/probe')).status).toBe(200);
    expect((await get('/health/live')).status).toBe(200);
  });

  it('a standalone host with FLOWFORGE_INTERNAL_TOKEN set accepts that exact token and no other', async () => {
    const token = generateInternalToken();
    const { runtime, get } = await boot('standalone', { FLOWFORGE_INTERNAL_TOKEN: token });
    expect(runtime.internalToken).toBe(token);
    expect(runtime.internalHeaders()).toEqual({ [INTERNAL_TOKEN_HEADER]: token });

    expect((await get('/internal/probe', { [INTERNAL_TOKEN_HEADER]: token })).status).toBe(200);
    expect((await get('/internal/probe')).status).toBe(403);
    for (const wrong of [`${token}x`, token.slice(0, -1), generateInternalToken()]) {
      expect({ wrong, status: (await get('/internal/probe', { [INTERNAL_TOKEN_HEADER]: wrong })).status }).toEqual({ wrong, status: 403 });
    }
  });

  it('refuses a FLOWFORGE_INTERNAL_TOKEN shorter than 32 characters, without echoing it', () => {
    const short = 'too-short-internal-token';
    let err: unknown;
    try {
      loadHostConfig({ host: 'orchestrator', services: [probeService], env: { DATABASE_URL: db.url, FLOWFORGE_INTERNAL_TOKEN: short } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([expect.stringMatching(/^FF_CONFIG: FLOWFORGE_INTERNAL_TOKEN /)]);
    expect((err as ConfigError).message).not.toContain(short);
  });
});
