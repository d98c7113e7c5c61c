#!/usr/bin/env node
// `npm start`: the embedded host from a fresh clone or an installed tree. Installs dependencies when
// node_modules is missing or older than package-lock.json, builds when dist/ is missing or older than
// any source, then runs dist/services/embedded/src/main.js, forwarding signals and the exit code.
// Plain CommonJS with no dependencies: it must run before `npm ci`.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { followChild } = require('./node-pin');

const root = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['libs', 'services'];
const BUILD_INPUTS = ['.swcrc', 'tsconfig.base.json', 'scripts/build.js'];

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|js|json)$/.test(e.name)) newest = Math.max(newest, mtime(p));
  }
  return newest;
}

function log(message) {
  process.stderr.write(`[flowforge] ${message}\n`);
}

function installIfNeeded() {
  // npm writes node_modules/.package-lock.json on every install: it is the install's timestamp.
  const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  const lock = mtime(path.join(root, 'package-lock.json'));
  if (installed !== 0 && installed >= lock) return;
  log(installed === 0 ? 'installing dependencies (npm ci)...' : 'package-lock.json changed: reinstalling (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function buildIfNeeded() {
  const stamp = mtime(path.join(root, 'dist', '.build-stamp'));
  const newest = Math.max(...SOURCE_DIRS.map((d) => newestSource(path.join(root, d))), ...BUILD_INPUTS.map((f) => mtime(path.join(root, f))));
  if (stamp !== 0 && stamp >= newest) return false;
  log(stamp === 0 ? 'building (first start)...' : 'sources changed: rebuilding...');
  const t = Date.now();
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
  log(`built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return true;
}

/** Runs a built entry point as a child, forwarding signals; resolves never (exits with the child). */
function runChild(entry, args = []) {
  const main = path.join(root, entry);
  if (!fs.existsSync(main)) {
    log(`FF_START: ${entry} does not exist after the build`);
    process.exit(1);
  }
  // FLOWFORGE_LAUNCHER_PID: the host stops itself if this process dies without a word (SIGKILL), see
  // runProcess in libs/service-kit/src/bootstrap/process-runner.ts.
  const env = { ...process.env, FLOWFORGE_LAUNCHER_PID: String(process.pid) };
  // Signals are forwarded; a second one is ignored by the host.
  followChild(spawn(process.execPath, ['--enable-source-maps', main, ...args], { cwd: process.cwd(), stdio: 'inherit', env }));
}

function prepare() {
  installIfNeeded();
  buildIfNeeded();
}

module.exports = { prepare, buildIfNeeded, runChild, root };

if (require.main === module && !require('./node-pin').reexecWithPinnedNode()) {
  prepare();
  runChild('dist/services/embedded/src/main.js', process.argv.slice(2));
}
