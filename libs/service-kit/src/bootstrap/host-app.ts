import { type INestApplication, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusExceptionFilter, BusTransport, type EventBus } from '@flowforge/bus';
import { BusModule } from '../bus/bus.module';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { HealthController } from '../health/health.controller';
import { actorContext } from '../audit/audit-trail';
import { generateInternalToken, internalApiGuard } from '../http/internal-api.guard';
import { jsonDepthVerifier, MAX_JSON_DEPTH, requestInputCheck } from '../http/request-input.check';
import { requestTelemetry } from '../http/request-telemetry.middleware';
import { SafeParamPipe } from '../http/safe-param.pipe';
import { NestPinoLogger, type FlowForgeLogger } from '../logging/logger';
import { MetricsController } from '../metrics/metrics.controller';
import { EVENT_BUS, HOST_RUNTIME } from '../tokens';
import { ConfigError } from '../config/config.error';
import type { HostConfig } from './host-config';
import { HostRuntime, type HostMode } from './host-runtime';
import { KitModule } from './kit.module';
import type { ServiceDefinition } from './service-definition';

export interface CreateHostAppOptions {
  mode: HostMode;
  /** "embedded" or the service name: the `service` log field, the bus `producer`. */
  host: string;
  services: ServiceDefinition[];
  config: HostConfig;
  logger: FlowForgeLogger;
  /** Overrides config.common.DATABASE_URL (the embedded host's own PostgreSQL). */
  databaseUrl?: string;
  /** Overrides config.common.PORT (tests listen on an ephemeral port). */
  port?: number;
  /**
   * Nest's preview mode: the module graph and its routes, no provider built — no database, no bus, no
   * migrations. Enough to inspect the application (the OpenAPI snapshot); it cannot serve or listen.
   */
  preview?: boolean;
}

/** The parts of NestExpressApplication used here (@nestjs/platform-express's types are not imported by the kit). */
interface ExpressApp {
  useBodyParser(type: 'json' | 'urlencoded', options: Record<string, unknown>): unknown;
  getHttpAdapter(): { getInstance(): { disable(setting: string): unknown } };
}

@Module({ controllers: [HealthController, MetricsController] })
class HostModule {
  static forRoot(opts: CreateHostAppOptions, runtime: HostRuntime): DynamicModule {
    return {
      module: HostModule,
      imports: [
        KitModule.forRoot({ common: opts.config.common, services: opts.config.services, runtime, logger: opts.logger }),
        BusModule.forRoot({ producer: opts.host }),
        ...opts.services.map((s) => s.module),
      ],
    };
  }
}

/**
 * Builds (and initialises: migrations run, bus ready) the Nest application hosting `services` — the
 * one code path shared by a standalone service (one module) and the embedded host (all of them).
 * The caller decides when to listen (startHostApp).
 */
export async function createHostApp(opts: CreateHostAppOptions): Promise<INestApplication> {
  const databaseUrl = opts.databaseUrl ?? opts.config.common.DATABASE_URL ?? (opts.preview ? 'postgres://preview.invalid/none' : undefined);
  if (!databaseUrl) throw new Error('FF_CONFIG: DATABASE_URL is required to build the application');
  const internalToken = opts.config.common.FLOWFORGE_INTERNAL_TOKEN || generateInternalToken();
  if (!opts.config.common.FLOWFORGE_INTERNAL_TOKEN && opts.mode === 'standalone' && !opts.preview) {
    opts.logger.warn(
      "FLOWFORGE_INTERNAL_TOKEN is not set: this service's internal API (/internal/...) answers no other process. Set the same value in every FlowForge process.",
    );
  }
  // The executor credential must differ from the internal token, or holding one would mean holding both.
  const executorToken = opts.config.common.FLOWFORGE_EXECUTOR_TOKEN || generateInternalToken();
  if (executorToken === internalToken) throw new ConfigError(['FF_CONFIG: FLOWFORGE_EXECUTOR_TOKEN must differ from FLOWFORGE_INTERNAL_TOKEN']);
  if (opts.config.common.FLOWFORGE_EXECUTOR_TOKEN && opts.mode === 'standalone' && opts.host === 'gateway') {
    opts.logger.warn('FLOWFORGE_EXECUTOR_TOKEN is set on the gateway: remove it there; only the catalog and the executor services need it.');
  }
  const runtime = new HostRuntime(opts.mode, opts.host, opts.port ?? opts.config.common.PORT, databaseUrl, internalToken, executorToken);
  const app = await NestFactory.create(HostModule.forRoot(opts, runtime), {
    logger: new NestPinoLogger(opts.logger),
    bufferLogs: false,
    abortOnError: false,
    preview: opts.preview ?? false,
  });
  if (opts.preview) return app;
  for (const service of opts.services) service.configureApp?.(app);
  app.use(requestTelemetry());
  app.use(internalApiGuard(internalToken));
  app.use(actorContext());
  // The parsers Nest would add at init, added here so that the depth bound applies and the input check
  // follows them: the body is refused before any guard, interceptor or handler walks it.
  const express = app as unknown as ExpressApp;
  express.useBodyParser('json', { verify: jsonDepthVerifier(MAX_JSON_DEPTH) });
  express.useBodyParser('urlencoded', { extended: true, depth: 16 });
  app.use(requestInputCheck());
  // Names the framework to every caller and helps no one.
  express.getHttpAdapter().getInstance().disable('x-powered-by');
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(new SafeParamPipe());
  const bus = app.get<EventBus>(EVENT_BUS);
  // @OnEvent handlers of every hosted module subscribe through one transport. deferInitialization lets the
  // filter be bound before the handlers are, so dead-letter headers keep the real error, not Nest's
  // generic "Internal server error".
  const transport = app.connectMicroservice({ strategy: new BusTransport(bus) }, { deferInitialization: true }).useGlobalFilters(new BusExceptionFilter());
  await app.init();
  // The app has run every module's onModuleInit and onApplicationBootstrap. A deferred microservice runs them
  // again when it starts listening (its own flag says it never did), which started every loop and sweeper
  // twice (two timer chains each). Mark them called; `listen` still registers the handlers.
  (transport as unknown as { setIsInitHookCalled(value: boolean): void }).setIsInitHookCalled(true);
  return app;
}

/** Starts the bus consumers, then listens. Returns the bound port. */
export async function startHostApp(app: INestApplication, port: number, hostname?: string): Promise<number> {
  await app.startAllMicroservices();
  await app.listen(port, hostname as string);
  const address = app.getHttpServer().address() as { port: number } | string;
  const bound = typeof address === 'string' ? port : address.port;
  // Embedded peers reach each other through this port: it must be the real one (tests listen on 0).
  app.get<HostRuntime>(HOST_RUNTIME).port = bound;
  return bound;
}
