module.exports = async function globalTeardown() {
  for (const container of globalThis.__FF_TEST_CONTAINERS__ ?? []) await container.stop().catch(() => undefined);
  const pg = globalThis.__FF_TEST_PG__;
  if (pg) await pg.stop();
};
