import { env, type ConfigOf } from './config-variable';

/**
 * Default HTTP port of each service when it runs standalone (one process per service). In embedded
 * mode one process serves everything on PORT (default 8080, the gateway's port). Keep in sync with
 * libs/service-kit/README.md.
 */
export const SERVICE_PORTS = {
  gateway: 8080,
  auth: 8081,
  catalog: 8082,
  orchestrator: 8083,
  scheduler: 8084,
  triggers: 8085,
  ingestion: 8086,
  transformation: 8087,
  quality: 8088,
  reconciliation: 8089,
  lineage: 8090,
  alerting: 8091,
  embedded: 8080,
} as const;

export type ServiceName = Exclude<keyof typeof SERVICE_PORTS, 'embedded'>;
export const SERVICE_NAMES = Object.keys(SERVICE_PORTS).filter((n) => n !== 'embedded') as ServiceName[];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables every FlowForge process reads. `host` picks the default PORT. */
export function commonConfigVariables(host: keyof typeof SERVICE_PORTS) {
  return {
    PORT: env.port(SERVICE_PORTS[host], { description: 'HTTP port' }),
    // Optional here: the embedded host starts its own PostgreSQL when it is unset; standalone
    // services require it (see requireDatabaseUrl).
    DATABASE_URL: env.optionalUrl(['postgres:', 'postgresql:'], 'postgres://user:password@localhost:5432/flowforge', {
      sensitive: true,
      description: 'PostgreSQL holding every service schema (and the Postgres bus)',
    }),
    FLOWFORGE_BUS: env.enumOf(['postgres', 'kafka'] as const, 'postgres', {
      check: (v) =>
        v === 'kafka'
          ? 'FLOWFORGE_BUS=kafka needs the distributed stack (not available yet); unset it or use FLOWFORGE_BUS=postgres'
          : null,
    }),
    // Distributed mode (FLOWFORGE_BUS=kafka): brokers and the Confluent-compatible schema registry.
    FLOWFORGE_KAFKA_BROKERS: env.string('127.0.0.1:9092', { expected: 'comma-separated host:port list', pattern: /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/ }),
    FLOWFORGE_SCHEMA_REGISTRY_URL: env.optionalUrl(['http:', 'https:'], 'http://localhost:8081/apis/ccompat/v7'),
    LOG_LEVEL: env.enumOf(LOG_LEVELS, 'info'),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalUrl(['http:', 'https:'], 'http://localhost:4318'),
    FLOWFORGE_HOME: env.string('./.flowforge', { expected: 'a directory path' }),
  };
}

export type CommonConfig = ConfigOf<ReturnType<typeof commonConfigVariables>>;
