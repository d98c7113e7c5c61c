import path from 'node:path';
import {
  commonConfigVariables,
  createHostApp,
  createLogger,
  describeConfig,
  loadHostConfig,
  metricsRegistry,
  runProcess,
  startHostApp,
  startTracing,
} from '@flowforge/service-kit';
import { embeddedConfigVariables, type EmbeddedConfig } from './embedded.config';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-postgres.cluster';
import { embeddedServices } from './embedded.services';

/**
 * The all-in-one host (Kestra's standalone server is the model): every service module and the gateway
 * in one Node process over one PostgreSQL — DATABASE_URL, or an embedded-postgres cluster under
 * $FLOWFORGE_HOME/pg that survives restarts.
 */
runProcess(async (proc) => {
  const t0 = Date.now();
  const config = loadHostConfig({ host: 'embedded', services: embeddedServices, extraVariables: embeddedConfigVariables });
  const extra = config.extra as EmbeddedConfig;
  const logger = createLogger({ service: 'embedded', level: config.common.LOG_LEVEL });
  proc.useLogger(logger);
  const tracing = startTracing({
    serviceName: 'flowforge-embedded',
    otlpEndpoint: config.common.OTEL_EXPORTER_OTLP_ENDPOINT,
    onWarning: (m) => logger.warn(m),
  });
  metricsRegistry().setDefaultLabels({ service: 'embedded' });
  logger.info({ config: describeConfig(commonConfigVariables('embedded'), config.common) }, 'configuration loaded');
  const timings: Record<string, number> = {};

  let cluster: EmbeddedCluster | undefined;
  let databaseUrl = config.common.DATABASE_URL;
  if (!databaseUrl) {
    const t = Date.now();
    cluster = await startEmbeddedCluster({
      home: path.resolve(config.common.FLOWFORGE_HOME),
      port: extra.FLOWFORGE_PG_PORT,
      database: 'flowforge',
      onEvent: (message, fields) => logger.warn(fields, message),
    });
    databaseUrl = cluster.url;
    timings.postgres_ms = Date.now() - t;
    logger.info(
      { port: extra.FLOWFORGE_PG_PORT, created: cluster.created, ms: timings.postgres_ms },
      cluster.created ? 'embedded PostgreSQL created' : 'embedded PostgreSQL reused',
    );
  }

  try {
    const t = Date.now();
    const app = await createHostApp({ mode: 'embedded', host: 'embedded', services: embeddedServices, config, logger, databaseUrl });
    timings.modules_ms = Date.now() - t;
    const port = await startHostApp(app, config.common.PORT);
    // From process start, module loading included: what a person waiting for the line experiences.
    timings.total_ms = Math.round(process.uptime() * 1000);
    timings.boot_ms = Date.now() - t0;
    const dataIn = cluster ? config.common.FLOWFORGE_HOME : 'DATABASE_URL';
    logger.info({ port, services: embeddedServices.map((s) => s.service), ...timings }, 'ready');
    // The one line a person starting FlowForge looks for; plain text on purpose.
    process.stdout.write(`FlowForge is ready on http://localhost:${port} (embedded, data in ${dataIn}) in ${(timings.total_ms / 1000).toFixed(1)} s\n`);
    return {
      stop: async (signal) => {
        const s = Date.now();
        logger.info({ signal }, 'shutting down');
        // Nest: HTTP server and bus consumers stop, then the bus drains and DataSources close.
        await app.close();
        await tracing.shutdown();
        await cluster?.stop();
        logger.info({ ms: Date.now() - s }, 'stopped');
        logger.flush();
      },
    };
  } catch (err) {
    await cluster?.stop().catch(() => undefined);
    throw err;
  }
});
