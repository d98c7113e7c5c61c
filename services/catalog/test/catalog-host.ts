import { actorHeaders, type Permission } from '@flowforge/access';
import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import {
  createHostApp,
  createLogger,
  generateInternalToken,
  INTERNAL_TOKEN_HEADER,
  loadHostConfig,
  startHostApp,
  type HostMode,
  type ServiceDefinition,
} from '@flowforge/service-kit';
import { catalogService } from '../src/catalog.definition';

/** A catalog (and optionally other services) in this process on an ephemeral port, with every log line captured. */
export interface CatalogHost {
  app: INestApplication;
  base: string;
  /** Parsed JSON log lines, in order. */
  logs: Record<string, unknown>[];
  /** Every log line as written, for "never appears" assertions. */
  rawLogs(): string;
  close(): Promise<void>;
}

/**
 * The internal token every host started here gets (FLOWFORGE_INTERNAL_TOKEN, one per test run unless a test
 * passes its own), and the header `call` sends with it: what a peer service or the gateway holds.
 */
export const INTERNAL_TOKEN = generateInternalToken();
export const internalHeaders: Readonly<Record<string, string>> = { [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN };

export interface CatalogHostOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  mode?: HostMode;
  services?: ServiceDefinition[];
}

export async function startCatalogHost(opts: CatalogHostOptions): Promise<CatalogHost> {
  const raw: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  const services = opts.services ?? [catalogService];
  const mode = opts.mode ?? 'standalone';
  const host = mode === 'embedded' ? 'embedded' : services[0]!.service;
  const logger = createLogger({ service: host, level: 'debug', destination });
  const config = loadHostConfig({
    host,
    services,
    env: { DATABASE_URL: opts.databaseUrl, FLOWFORGE_INTERNAL_TOKEN: INTERNAL_TOKEN, ...opts.env },
    requireDatabaseUrl: true,
  });
  const app = await createHostApp({ mode, host, services, config, logger, port: 0 });
  const port = await startHostApp(app, 0, '127.0.0.1');
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    logs,
    rawLogs: () => raw.join('\n'),
    close: () => app.close(),
  };
}

/** The actor headers the gateway forwards for a caller holding `permissions`. */
const callerHolding = (name: string, permissions: Permission[]): Readonly<Record<string, string>> =>
  actorHeaders({ type: 'user', id: name, name, userId: null, sessionId: null, ip: null, userAgent: null, permissions });
/** An administrator's call (may set allowPrivateNetworks). */
export const asAdmin = callerHolding('admin', ['connection:use', 'connection:view', 'settings:configure-system', 'settings:manage-connections']);
/** A caller who may manage connections but is no administrator. */
export const asConnectionManager = callerHolding('conn-manager', ['connection:use', 'connection:view', 'settings:manage-connections']);

/** JSON request helper (with the internal token): answers status, headers and the parsed body. */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; body: T; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...internalHeaders, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : undefined) as T, text };
}
