import { env, type ConfigOf } from './config-variable';

/**
 * Default HTTP port of each service when it runs standalone (one process per service). In embedded
 * mode one process serves everything on PORT (default 8080, the gateway's port). Keep in sync with
 * libs/service-kit/README.md.
 */
// 81xx, not 808x: the stack's schema registry (8081) and Kafka Connect (8083) own those ports.
export const SERVICE_PORTS = {
  gateway: 8080,
  auth: 8101,
  catalog: 8102,
  orchestrator: 8103,
  scheduler: 8104,
  triggers: 8105,
  ingestion: 8106,
  transformation: 8107,
  quality: 8108,
  reconciliation: 8109,
  lineage: 8110,
  alerting: 8111,
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
      description: 'postgres (embedded default) or kafka (distributed: needs FLOWFORGE_SCHEMA_REGISTRY_URL)',
    }),
    // Distributed mode (FLOWFORGE_BUS=kafka): brokers and the Confluent-compatible schema registry.
    FLOWFORGE_KAFKA_BROKERS: env.string('127.0.0.1:9092', { expected: 'comma-separated host:port list', pattern: /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/ }),
    FLOWFORGE_SCHEMA_REGISTRY_URL: env.optionalUrl(['http:', 'https:'], 'http://localhost:8081/apis/ccompat/v7'),
    LOG_LEVEL: env.enumOf(LOG_LEVELS, 'info'),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalUrl(['http:', 'https:'], 'http://localhost:4318'),
    FLOWFORGE_HOME: env.string('./.flowforge', { expected: 'a directory path' }),
    // The services' internal APIs (/internal/...) answer only callers holding it. Unset: a random token for
    // this process — right for the embedded host; services run as separate processes must share one.
    FLOWFORGE_INTERNAL_TOKEN: env.string('', {
      sensitive: true,
      expected: 'at least 32 characters (e.g. `openssl rand -base64 32`), the same in every FlowForge process',
      pattern: /^(.{32,})?$/,
      description: 'shared secret of the internal service APIs',
    }),
    // The executors' own credential (docs/architecture.md, Security model): the catalog hands connection
    // secrets only to callers holding it. Set it on the catalog and the executor services, never on the
    // gateway. Unset: a random one for this process — right for the embedded host.
    FLOWFORGE_EXECUTOR_TOKEN: env.string('', {
      sensitive: true,
      expected: 'at least 32 characters (e.g. `openssl rand -base64 32`), different from FLOWFORGE_INTERNAL_TOKEN',
      pattern: /^(.{32,})?$/,
      description: "credential of the executors' internal routes (connection secrets)",
    }),
  };
}

export type CommonConfig = ConfigOf<ReturnType<typeof commonConfigVariables>>;
