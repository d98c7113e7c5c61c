// The third source of test servers (docs/architecture.md, Tests; libs/testing/src/stack.discovery.ts): when
// neither environment variables nor `scripts/stack` name a component and a Docker engine answers,
// testcontainers starts it for the run and exports the same variables the stack would have written.
// Machines without Docker (this project's CI among them) never get here past dockerAnswers(): the
// components come from scripts/stack there. The container path is exercised wherever Docker exists.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

// libs/testing/src/jest -> the repository root
const ROOT = path.resolve(__dirname, '../../../..');

/** Same path as stackEnvFilePath() in stack.discovery.ts (this file is loaded before any transform). */
function stackEnvFilePath(env = process.env) {
  if (env.FLOWFORGE_STACK_ENV_FILE) return path.resolve(env.FLOWFORGE_STACK_ENV_FILE);
  if (env.FLOWFORGE_STACK_DIR) return path.resolve(env.FLOWFORGE_STACK_DIR, 'env');
  return path.join(ROOT, '.stack/env');
}

/** Same file discoverStack() reads: KEY=value lines. */
function readEnvFile(file) {
  if (!fs.existsSync(file)) return {};
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && m[2]) out[m[1]] = m[2];
  }
  return out;
}

/** Components with no server named anywhere (environment first, then .stack/env). */
function missingComponents(env = process.env, stackEnvFile = stackEnvFilePath(env)) {
  const known = { ...readEnvFile(stackEnvFile), ...Object.fromEntries(Object.entries(env).filter(([, v]) => v)) };
  return COMPONENTS.filter((c) => !known[c.variable]).map((c) => c.name);
}

/** True when a container runtime answers within the timeout (testcontainers' own discovery). */
async function dockerAnswers(timeoutMs = 5_000) {
  let timer;
  try {
    const { getContainerRuntimeClient } = require('testcontainers');
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)));
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const COMPONENTS = [
  {
    name: 'kafka',
    variable: 'FLOWFORGE_TEST_KAFKA_BROKERS',
    async start() {
      const { KafkaContainer } = require('@testcontainers/kafka');
      const c = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
      return { container: c, env: { FLOWFORGE_TEST_KAFKA_BROKERS: `${c.getHost()}:${c.getMappedPort(9093)}` } };
    },
  },
  {
    name: 'schema registry',
    variable: 'FLOWFORGE_TEST_SCHEMA_REGISTRY_URL',
    async start() {
      const { GenericContainer, Wait } = require('testcontainers');
      const c = await new GenericContainer('apicurio/apicurio-registry:3.0.9')
        .withExposedPorts(8080)
        .withEnvironment({ APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED: 'true' })
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
        .withStartupTimeout(180_000)
        .start();
      return { container: c, env: { FLOWFORGE_TEST_SCHEMA_REGISTRY_URL: `http://${c.getHost()}:${c.getMappedPort(8080)}/apis/ccompat/v7` } };
    },
  },
  {
    name: 'keycloak',
    variable: 'FLOWFORGE_TEST_KEYCLOAK_URL',
    async start() {
      const { GenericContainer, Wait } = require('testcontainers');
      // The realm file is the stack's, with the same placeholders Keycloak resolves from the environment.
      const secrets = {
        FLOWFORGE_GATEWAY_CLIENT_SECRET: crypto.randomBytes(24).toString('base64url'),
        FLOWFORGE_TEST_USER_PASSWORD: `Ff-${crypto.randomBytes(12).toString('base64url')}`,
      };
      const c = await new GenericContainer('quay.io/keycloak/keycloak:26.4')
        .withCommand(['start-dev', '--import-realm'])
        .withEnvironment({ KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', KC_BOOTSTRAP_ADMIN_PASSWORD: crypto.randomBytes(12).toString('hex'), ...secrets })
        .withCopyFilesToContainer([
          { source: path.join(ROOT, 'scripts/stack/keycloak/flowforge-realm.json'), target: '/opt/keycloak/data/import/flowforge-realm.json' },
        ])
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp('/realms/flowforge', 8080).forStatusCode(200))
        .withStartupTimeout(180_000)
        .start();
      const secretsFile = path.join(require('node:os').tmpdir(), `ff-keycloak-secrets-${process.pid}.env`);
      fs.writeFileSync(
        secretsFile,
        Object.entries(secrets)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
        { mode: 0o600 },
      );
      return {
        container: c,
        env: {
          FLOWFORGE_TEST_KEYCLOAK_URL: `http://${c.getHost()}:${c.getMappedPort(8080)}`,
          FLOWFORGE_TEST_KEYCLOAK_REALM: 'flowforge',
          FLOWFORGE_TEST_KEYCLOAK_SECRETS: secretsFile,
        },
      };
    },
  },
];

/**
 * Starts a container for each missing component when Docker answers; returns what it started (for the
 * teardown) and sets the variables in process.env, which jest hands to the test workers.
 */
async function startMissingContainers({
  env = process.env,
  stackEnvFile = stackEnvFilePath(env),
  log = (m) => process.stderr.write(`${m}\n`),
  answers = dockerAnswers,
} = {}) {
  const absent = missingComponents(env, stackEnvFile);
  const missing = COMPONENTS.filter((c) => absent.includes(c.name));
  if (missing.length === 0) return { started: [], reason: 'every component is named by the environment or scripts/stack' };
  // A machine without Docker, on demand: the stack-less run test must not depend on whether this one has it.
  if (env.FLOWFORGE_STACK_CONTAINERS === '0') {
    return { started: [], reason: `FLOWFORGE_STACK_CONTAINERS=0; ${missing.map((c) => c.name).join(', ')} stay missing` };
  }
  if (!(await answers())) {
    return { started: [], reason: `no Docker engine answers; ${missing.map((c) => c.name).join(', ')} stay missing (start them with scripts/stack/stack up)` };
  }
  const started = [];
  for (const c of missing) {
    log(`[testing] starting ${c.name} with testcontainers (nothing names ${c.variable})`);
    const { container, env: vars } = await c.start();
    Object.assign(env, vars);
    started.push(container);
  }
  return { started, reason: `started ${missing.map((c) => c.name).join(', ')} with testcontainers` };
}

module.exports = { startMissingContainers, missingComponents, dockerAnswers, stackEnvFilePath, COMPONENTS };
