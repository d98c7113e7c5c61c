#!/usr/bin/env node
// `npm start` from an installed, built tree to "ready" (target ≤ 15 s, issue 2).
// Runs the real start script (node scripts/start.js) with a fresh FLOWFORGE_HOME: the first start
// initialises the embedded PostgreSQL cluster, the following ones reuse it (the common case).
// Usage: node bench/start-time.bench.js [runs=3]   — writes its section of bench/RESULTS.md.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const root = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 3);

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startOnce(home) {
  const env = { ...process.env, FLOWFORGE_HOME: home, PORT: String(await freePort()), FLOWFORGE_PG_PORT: String(await freePort()) };
  delete env.DATABASE_URL;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      if (out.includes('FlowForge is ready')) resolve(performance.now() - t0);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`start exited with ${code} before ready:\n${out.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`not ready after 60 s:\n${out.slice(-2000)}`)), 60_000).unref();
  });
  const t1 = performance.now();
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  return { ready, stop: performance.now() - t1 };
}

async function main() {
  execFileSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: 'inherit' });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-start-bench-'));
  fs.chmodSync(home, 0o777);
  const first = await startOnce(home);
  const again = [];
  for (let i = 0; i < runs; i++) again.push(await startOnce(home));
  fs.rmSync(home, { recursive: true, force: true });
  const sorted = again.map((r) => r.ready).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const worst = sorted[sorted.length - 1];
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const verdict = (ms) => (ms <= 15_000 ? 'met' : 'MISSED');
  const section = [
    '<!-- start-time:start -->',
    '## start-time — `npm start` to "ready" (`node bench/start-time.bench.js`)',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} cores, Node ${process.version}; installed and built tree, embedded PostgreSQL under a fresh FLOWFORGE_HOME, stopped with SIGINT after each start.`,
    '',
    '| measure | value | target | verdict |',
    '|---|---|---|---|',
    `| first start (initialises the PostgreSQL cluster) | ${s(first.ready)} | ≤ 15 s | ${verdict(first.ready)} |`,
    `| later start, median of ${runs} (reuses the data) | ${s(median)} | ≤ 15 s | ${verdict(median)} |`,
    `| later start, worst of ${runs} | ${s(worst)} | ≤ 15 s | ${verdict(worst)} |`,
    `| stop after SIGINT, median | ${s(again.map((r) => r.stop).sort((a, b) => a - b)[Math.floor(runs / 2)])} | — |  |`,
    '<!-- start-time:end -->',
  ].join('\n');
  console.log(section);
  const file = path.join(__dirname, 'RESULTS.md');
  let text = fs.readFileSync(file, 'utf8');
  const re = /<!-- start-time:start -->[\s\S]*<!-- start-time:end -->/;
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
