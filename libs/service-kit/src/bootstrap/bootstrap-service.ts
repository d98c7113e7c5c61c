import { createLogger } from '../logging/logger';
import { startTracing } from '../tracing/tracing';
import { describeConfig } from '../config/load-config';
import { commonConfigVariables } from '../config/common-config';
import { metricsRegistry } from '../metrics/metrics.registry';
import { createHostApp, startHostApp } from './host-app';
import { loadHostConfig } from './host-config';
import { runProcess } from './process-runner';
import type { ServiceDefinition } from './service-definition';

/**
 * Standalone mode: one process, one service (distributed deployments, `nx serve <service>`). Same
 * code path as the embedded host (createHostApp) with a single module.
 */
export function bootstrapService(def: ServiceDefinition): void {
  runProcess(async (proc) => {
    const started = Date.now();
    const config = loadHostConfig({ host: def.service, services: [def], requireDatabaseUrl: true });
    const logger = createLogger({ service: def.service, level: config.common.LOG_LEVEL });
    proc.useLogger(logger);
    const tracing = startTracing({
      serviceName: `flowforge-${def.service}`,
      otlpEndpoint: config.common.OTEL_EXPORTER_OTLP_ENDPOINT,
      onWarning: (m) => logger.warn(m),
    });
    metricsRegistry().setDefaultLabels({ service: def.service });
    logger.info({ config: describeConfig(commonConfigVariables(def.service), config.common) }, 'configuration loaded');
    const app = await createHostApp({ mode: 'standalone', host: def.service, services: [def], config, logger });
    const port = await startHostApp(app, config.common.PORT);
    logger.info({ port, ms: Date.now() - started }, `${def.service} is ready on http://localhost:${port}`);
    return {
      stop: async (signal) => {
        logger.info({ signal }, 'shutting down');
        await app.close();
        await tracing.shutdown();
        logger.flush();
      },
    };
  });
}
