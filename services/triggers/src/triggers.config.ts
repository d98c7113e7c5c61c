import { env, lakeConfigVariables, type ConfigOf } from '@flowforge/service-kit';

/** Variables the triggers service reads (services/triggers/README.md, Configuration). */
export const triggersConfigVariables = {
  // The lake and FLOWFORGE_LOCAL_CONNECTION_ROOTS: `local` connections are judged by the catalog's rule (the same definition).
  ...lakeConfigVariables,
  // Unset: the process's own port when embedded, else the catalog's standalone port (file-arrival triggers read connections there).
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
  // AES-256-GCM key sealing trigger secrets (webhook HMAC secrets, broker passwords). Unset: $FLOWFORGE_HOME/triggers.key,
  // created (0600) on first start — right for one process; replicas must share one value.
  FLOWFORGE_TRIGGERS_SECRET_KEY: env.string('', {
    sensitive: true,
    expected: 'the base64 encoding of 32 random bytes (e.g. `openssl rand -base64 32`)',
    pattern: /^([A-Za-z0-9+/]{43}=)?$/,
  }),
  // Kafka Connect with the Debezium plugins, for cdc triggers (scripts/stack starts one). Unset: a cdc trigger fails to start, naming this variable.
  FLOWFORGE_KAFKA_CONNECT_URL: env.optionalUrl(['http:', 'https:'], 'http://kafka-connect:8083'),
  // The brokers as the Connect worker reaches them (its MariaDB schema history topic), comma-separated; unset: FLOWFORGE_KAFKA_BROKERS.
  FLOWFORGE_KAFKA_CONNECT_KAFKA_BROKERS: env.string('', { expected: 'comma-separated host:port list', pattern: /^([^,\s]+:\d+(,[^,\s]+:\d+)*)?$/ }),
  // How often a replica looks for triggers to start, stop or restart (and renews its leases), in ms.
  FLOWFORGE_TRIGGERS_SYNC_MS: env.int({ min: 100, max: 60_000, def: 2_000 }),
  // How long a replica's lease on a pull trigger lasts without renewal: another replica takes the trigger over after it.
  FLOWFORGE_TRIGGERS_LEASE_SECONDS: env.int({ min: 2, max: 600, def: 15 }),
  // off starts no source in this process (webhooks, the API and `test` still work): a replica that only answers requests.
  FLOWFORGE_TRIGGERS_RUNTIME: env.enumOf(['on', 'off'] as const, 'on', { description: 'whether this process runs the pull sources of enabled triggers' }),
};

export type TriggersConfig = ConfigOf<typeof triggersConfigVariables>;
