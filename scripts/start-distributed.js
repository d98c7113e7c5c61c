#!/usr/bin/env node
// `npm run start:distributed`: every FlowForge service as its own process on Kafka + the
// Confluent-compatible registry + PostgreSQL (FLOWFORGE_BUS=kafka). Servers come from the environment
// (FLOWFORGE_KAFKA_BROKERS, FLOWFORGE_SCHEMA_REGISTRY_URL, DATABASE_URL) or, when unset, from the
// `.stack/env` that `scripts/stack/stack up` writes. Each service listens on its standard port
// (libs/service-kit/README.md); the gateway on 8080. Ctrl-C stops them all.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { prepare, root } = require('./start');

const SERVICES = {
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
};

function stackEnv() {
  const file = path.join(root, '.stack', 'env');
  if (!fs.existsSync(file)) return {};
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  );
}

/**
 * A secret every process needs the same value of, kept for a developer's machine: unless `variable` is set,
 * one value under .flowforge/distributed/<file> (mode 0600, git-ignored, generated once) so it survives
 * restarts. Production sets the variables from its secret manager (docker-compose.yml, k8s).
 *  - FLOWFORGE_MASTER_KEY: the catalog encrypts connection secrets under it and refuses to start without it.
 *  - FLOWFORGE_INTERNAL_TOKEN: the services' internal APIs (/internal/...) answer only callers holding it;
 *    unset, each process would make up its own and the gateway could reach none of them.
 *  - FLOWFORGE_EXECUTOR_TOKEN: the catalog hands connection secrets only to executors holding it; the gateway
 *    is started without it.
 */
function devSecret(variable, file, what) {
  if (process.env[variable]) return process.env[variable];
  const dir = path.join(root, '.flowforge', 'distributed');
  const keyFile = path.join(dir, file);
  if (!fs.existsSync(keyFile)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(keyFile, require('node:crypto').randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    process.stderr.write(`[flowforge] generated ${what} in ${path.relative(root, keyFile)}\n`);
  }
  return fs.readFileSync(keyFile, 'utf8').trim();
}

function main() {
  prepare();
  const s = stackEnv();
  const env = {
    ...process.env,
    FLOWFORGE_BUS: 'kafka',
    DATABASE_URL: process.env.DATABASE_URL || s.DATABASE_URL,
    FLOWFORGE_KAFKA_BROKERS: process.env.FLOWFORGE_KAFKA_BROKERS || s.FLOWFORGE_TEST_KAFKA_BROKERS,
    FLOWFORGE_SCHEMA_REGISTRY_URL: process.env.FLOWFORGE_SCHEMA_REGISTRY_URL || s.FLOWFORGE_TEST_SCHEMA_REGISTRY_URL,
    FLOWFORGE_ORCHESTRATOR_URL: process.env.FLOWFORGE_ORCHESTRATOR_URL || `http://127.0.0.1:${SERVICES.orchestrator}`,
    FLOWFORGE_CATALOG_URL: process.env.FLOWFORGE_CATALOG_URL || `http://127.0.0.1:${SERVICES.catalog}`,
    FLOWFORGE_MASTER_KEY: devSecret('FLOWFORGE_MASTER_KEY', 'master.key', 'the catalog master key'),
    FLOWFORGE_INTERNAL_TOKEN: devSecret('FLOWFORGE_INTERNAL_TOKEN', 'internal.token', "the services' internal API token"),
    FLOWFORGE_EXECUTOR_TOKEN: devSecret('FLOWFORGE_EXECUTOR_TOKEN', 'executor.token', "the executors' credential"),
  };
  const missing = ['DATABASE_URL', 'FLOWFORGE_KAFKA_BROKERS', 'FLOWFORGE_SCHEMA_REGISTRY_URL'].filter((k) => !env[k]);
  if (missing.length) {
    process.stderr.write(`FF_START: distributed mode needs ${missing.join(', ')}: set them, or run \`scripts/stack/stack up\` first\n`);
    process.exit(78);
  }
  const children = Object.entries(SERVICES).map(([name, port]) => {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, `dist/services/${name}/src/main.js`)], {
      cwd: root,
      // The gateway never holds the executor credential (docs/architecture.md, Security model).
      env: { ...env, PORT: String(port), ...(name === 'gateway' ? { FLOWFORGE_EXECUTOR_TOKEN: '' } : {}) },
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`[flowforge] ${name} exited (${signal ?? code}); stopping the others\n`);
      stop(code ?? 1);
    });
    return child;
  });
  let stopping = false;
  function stop(code) {
    if (!stopping) {
      stopping = true;
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    }
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));
  process.stderr.write(`[flowforge] distributed mode: ${Object.keys(SERVICES).length} services; gateway on http://localhost:${SERVICES.gateway}\n`);
}

if (!require('./node-pin').reexecWithPinnedNode()) main();
