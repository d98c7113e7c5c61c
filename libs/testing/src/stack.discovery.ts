/**
 * Where the integration tier finds its servers (docs/architecture.md, Tests). Order: servers named by
 * environment variables, then the ones `scripts/stack` started (it writes the same variables into
 * `.stack/env`, see stackEnvFilePath), then testcontainers where a Docker engine answers (started by the jest global setup,
 * jest/stack-containers.js, which exports the same variables).
 * A tier whose servers are missing is skipped with a loud message; FLOWFORGE_REQUIRE_STACK=1 (CI)
 * turns that into a failure.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface StackEndpoints {
  /** Always present in the jest tiers: the machine's server (DATABASE_URL) or an embedded cluster. */
  postgresUrl?: string;
  kafkaBrokers?: string[];
  schemaRegistryUrl?: string;
  kafkaConnectUrl?: string;
  keycloakUrl?: string;
  s3Endpoint?: string;
  /** The machine's MariaDB with its binary log on (scripts/stack/components/mariadb.sh), e.g. mysql://root@127.0.0.1:3306. */
  mariadbUrl?: string;
}

export type StackComponent = keyof StackEndpoints;

const VARIABLES: Record<StackComponent, string> = {
  postgresUrl: 'DATABASE_URL',
  kafkaBrokers: 'FLOWFORGE_TEST_KAFKA_BROKERS',
  schemaRegistryUrl: 'FLOWFORGE_TEST_SCHEMA_REGISTRY_URL',
  kafkaConnectUrl: 'FLOWFORGE_TEST_KAFKA_CONNECT_URL',
  keycloakUrl: 'FLOWFORGE_TEST_KEYCLOAK_URL',
  s3Endpoint: 'FLOWFORGE_TEST_S3_ENDPOINT',
  mariadbUrl: 'FLOWFORGE_TEST_MARIADB_URL',
};

/**
 * The file `scripts/stack up` writes: FLOWFORGE_STACK_ENV_FILE when set (a test points it at a missing
 * path to run the tiers as a machine without the stack would), else `$FLOWFORGE_STACK_DIR/env` like
 * scripts/stack/stack, else `.stack/env` at the repository root. jest/stack-containers.js resolves the same.
 */
export function stackEnvFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOWFORGE_STACK_ENV_FILE) return path.resolve(env.FLOWFORGE_STACK_ENV_FILE);
  if (env.FLOWFORGE_STACK_DIR) return path.resolve(env.FLOWFORGE_STACK_DIR, 'env');
  return path.resolve(__dirname, '../../../.stack/env');
}

/** Reads `KEY=value` lines (the file `scripts/stack up` writes); missing file → empty. */
export function readStackEnvFile(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

export function discoverStack(env: NodeJS.ProcessEnv = process.env, stackEnvFile = stackEnvFilePath(env)): StackEndpoints {
  const merged = { ...readStackEnvFile(stackEnvFile), ...stripEmpty(env) };
  const get = (c: StackComponent): string | undefined => merged[VARIABLES[c]];
  const brokers = get('kafkaBrokers');
  return {
    postgresUrl: get('postgresUrl'),
    kafkaBrokers: brokers
      ? brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : undefined,
    schemaRegistryUrl: get('schemaRegistryUrl'),
    kafkaConnectUrl: get('kafkaConnectUrl'),
    keycloakUrl: get('keycloakUrl'),
    s3Endpoint: get('s3Endpoint'),
    mariadbUrl: get('mariadbUrl'),
  };
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v) out[k] = v;
  return out;
}

export class StackUnavailableError extends Error {
  readonly code = 'FF_TEST_STACK_MISSING';
  constructor(
    readonly tier: string,
    readonly missing: StackComponent[],
  ) {
    super(
      `FF_TEST_STACK_MISSING: ${tier} needs ${missing.map((m) => `${VARIABLES[m]}`).join(', ')} ` +
        '(start the servers with `scripts/stack up`, or name them in these variables); ' +
        'FLOWFORGE_REQUIRE_STACK=1 makes a missing server a failure instead of a skip',
    );
    this.name = 'StackUnavailableError';
  }
}

/**
 * Decides whether a tier runs: returns the endpoints when every component is there; otherwise throws
 * under FLOWFORGE_REQUIRE_STACK=1, or prints a loud warning and returns null (the caller skips).
 */
export function requireStack(
  tier: string,
  components: StackComponent[],
  env: NodeJS.ProcessEnv = process.env,
  stack: StackEndpoints = discoverStack(env),
): StackEndpoints | null {
  const missing = components.filter((c) => {
    const v = stack[c];
    return v === undefined || (Array.isArray(v) && v.length === 0);
  });
  if (missing.length === 0) return stack;
  const error = new StackUnavailableError(tier, missing);
  if (env.FLOWFORGE_REQUIRE_STACK === '1') throw error;
  process.stderr.write(`\n⚠ SKIPPING ${tier}: ${error.message}\n\n`);
  return null;
}
