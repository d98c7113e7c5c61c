import type { INestApplication } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { authService } from '@flowforge/service-auth';
import { gatewayService } from '@flowforge/service-gateway';
import { createHostApp, createLogger, generateInternalToken, INTERNAL_TOKEN_HEADER, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import type { HostDatabase } from './auth-host';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** A request the stand-in upstream received. */
export interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Answers a request (its body read) that carried the platform's internal token. */
export type StandInAnswer = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface StandInGateway {
  app: INestApplication;
  base: string;
  seen: Seen[];
  last(): Seen;
  /** Another gateway (same database, same token) whose upstream is `url`: for unreachable-upstream cases. */
  startAnother(url: string): Promise<{ app: INestApplication; base: string }>;
  stop(): Promise<void>;
}

/**
 * The gateway, with the real auth service beside it (one process, as embedded: a gateway test may not
 * import the auth service, hence here), in front of a stand-in for one upstream service (`upstreamVariable`
 * points at it). The stand-in behaves like the real service's guard: without the platform's internal
 * token it answers 403 and nothing else happens. `env` adds variables (the test admin's).
 */
export async function startGatewayWithStandIn(opts: {
  db: HostDatabase;
  upstreamVariable: 'FLOWFORGE_CATALOG_URL' | 'FLOWFORGE_ORCHESTRATOR_URL';
  /** More services the same stand-in plays (e.g. the triggers service an export also reads). */
  alsoVariables?: readonly ('FLOWFORGE_TRIGGERS_URL' | 'FLOWFORGE_SCHEDULER_URL')[];
  env: Readonly<Record<string, string>>;
  answer: StandInAnswer;
}): Promise<StandInGateway> {
  const internalToken = generateInternalToken();
  const seen: Seen[] = [];
  const fake = http.createServer((req, res) => {
    if (req.headers[INTERNAL_TOKEN_HEADER] !== internalToken)
      return void res.writeHead(403, { 'content-type': 'application/problem+json' }).end('{"code":"FF_INTERNAL_API_FORBIDDEN"}');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      opts.answer(req, res, body);
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const apps: INestApplication[] = [];
  const startAnother = async (url: string) => {
    const services = [gatewayService, authService];
    const also = Object.fromEntries((opts.alsoVariables ?? []).map((v) => [v, url]));
    const env = { DATABASE_URL: opts.db.url, [opts.upstreamVariable]: url, ...also, FLOWFORGE_INTERNAL_TOKEN: internalToken, ...opts.env };
    const config = loadHostConfig({ host: 'embedded', services, env, requireDatabaseUrl: true });
    const app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    apps.push(app);
    return { app, base: `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}` };
  };
  const { app, base } = await startAnother(`http://127.0.0.1:${(fake.address() as AddressInfo).port}`);
  return {
    app,
    base,
    seen,
    last: () => seen[seen.length - 1]!,
    startAnother,
    async stop() {
      for (const app of apps) await app.close();
      await new Promise((r) => fake.close(r));
    },
  };
}
