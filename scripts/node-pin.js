#!/usr/bin/env node
// The Node.js FlowForge runs on, and how a script gets it on a machine whose own Node is another one.
//
// The version is pinned in .nvmrc (nvm, fnm and volta read it too). `npm start`, `npm test`, `flowforge`,
// the benchmarks and .ci/run start with `reexecWithPinnedNode()`: when the running Node is not the pinned
// major, it takes the pinned binary from the cache folder (.cache/node/ in the repository, git-ignored;
// FLOWFORGE_NODE_CACHE moves it), fetching it once from the npm registry — the official binaries are
// published there as `node-<os>-<arch>` packages — and runs the same script again with it, its bin folder
// first on PATH so that `npm`, child `node` processes and jest workers use it too.
//   FLOWFORGE_NODE=/path/to/node   use that binary (must be the pinned major)
//   FLOWFORGE_NODE_PIN=0           run on whatever Node runs the script (unsupported)
// `node scripts/node-pin.js --bin-dir` prints the folder to put first on PATH (fetching it when needed).
// Plain CommonJS with no dependencies: it runs before `npm ci`, on old Node versions too.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const PINNED = fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
const PINNED_MAJOR = PINNED.split('.')[0];

const log = (msg) => process.stderr.write(`[flowforge] ${msg}\n`);

function isPinned(version = process.versions.node) {
  return version.split('.')[0] === PINNED_MAJOR;
}

function cacheRoot() {
  return path.resolve(process.env.FLOWFORGE_NODE_CACHE || path.join(root, '.cache', 'node'));
}

/** The npm package holding the official binary of the pinned version for this machine. */
function registryPackage() {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!os || !arch) return null;
  return `node-${os}-${arch}@${PINNED}`;
}

function versionOf(bin) {
  return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim()
    .replace(/^v/, '');
}

function howToFix() {
  return (
    `install Node ${PINNED_MAJOR} (e.g. \`nvm install\` in the repository, which reads .nvmrc), ` + `or set FLOWFORGE_NODE to a Node ${PINNED_MAJOR} binary`
  );
}

/** Downloads the pinned Node into the cache once (atomically: a half-fetched copy is never used). */
function fetchPinned(dir) {
  const spec = registryPackage();
  if (!spec) throw new Error(`no Node binary package for ${process.platform}-${process.arch} on the npm registry`);
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheRoot(), '.fetch-'));
  try {
    log(`FlowForge runs on Node ${PINNED} (.nvmrc); this is Node ${process.versions.node}.`);
    log(`fetching ${spec} (about 50 MB, once) from the npm registry into ${path.relative(process.cwd(), dir) || dir} ...`);
    const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
    const [cmd, args] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
    execFileSync(cmd, [...args, 'pack', spec, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball`);
    execFileSync('tar', ['xzf', path.join(tmp, tarball), '-C', tmp], { stdio: 'inherit' });
    const bin = path.join(tmp, 'package', 'bin', 'node');
    fs.chmodSync(bin, 0o755);
    const got = versionOf(bin);
    if (got !== PINNED) throw new Error(`${spec} holds Node ${got}, not ${PINNED}`);
    try {
      fs.renameSync(path.join(tmp, 'package'), dir);
    } catch (err) {
      // Another process fetched it at the same time: use theirs.
      if (!fs.existsSync(path.join(dir, 'bin', 'node'))) throw err;
    }
    log(`Node ${PINNED} ready`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Path of a Node binary of the pinned major: FLOWFORGE_NODE, else the cached copy (fetched when missing). */
function pinnedNodeBinary() {
  if (process.env.FLOWFORGE_NODE) {
    const bin = path.resolve(process.env.FLOWFORGE_NODE);
    const v = versionOf(bin);
    if (!isPinned(v)) throw new Error(`FLOWFORGE_NODE=${bin} is Node ${v}, FlowForge needs Node ${PINNED_MAJOR} (.nvmrc: ${PINNED})`);
    return bin;
  }
  const dir = path.join(cacheRoot(), `node-v${PINNED}-${process.platform}-${process.arch}`);
  const bin = path.join(dir, 'bin', 'node');
  if (!fs.existsSync(bin)) fetchPinned(dir);
  return bin;
}

function envWithNodeFirst(bin) {
  const dir = path.dirname(bin);
  return { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH || ''}` };
}

/**
 * When this Node is not the pinned major, runs this same script with the pinned Node (forwarding
 * signals, exiting with its code) and returns true: the caller then does nothing more. Returns false
 * when the running Node is already the right one. Stops with a message saying how to fix it when the
 * pinned Node can neither be found nor fetched.
 */
function reexecWithPinnedNode() {
  if (isPinned() || process.env.FLOWFORGE_NODE_PIN === '0') return false;
  let bin;
  try {
    bin = pinnedNodeBinary();
  } catch (err) {
    log(
      `FF_NODE_VERSION: FlowForge needs Node ${PINNED_MAJOR} (.nvmrc: ${PINNED}); this is Node ${process.versions.node}, and the pinned one could not be obtained: ${err.message}`,
    );
    log(`to fix: ${howToFix()}`);
    process.exit(1);
  }
  followChild(spawn(bin, [...process.execArgv, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit', env: envWithNodeFirst(bin) }));
  return true;
}

/** Forwards SIGINT/SIGTERM/SIGHUP to `child` and ends this process the way the child ended. */
function followChild(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Ctrl+C reaches the child through the process group too; the scripts ignore a repeated signal.
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

module.exports = { PINNED, isPinned, pinnedNodeBinary, reexecWithPinnedNode, followChild };

if (require.main === module) {
  if (process.argv[2] !== '--bin-dir') {
    process.stderr.write('usage: node scripts/node-pin.js --bin-dir   (prints the folder holding the pinned Node, fetching it when needed)\n');
    process.exit(2);
  }
  try {
    process.stdout.write(`${path.dirname(isPinned() ? process.execPath : pinnedNodeBinary())}\n`);
  } catch (err) {
    log(`FF_NODE_VERSION: could not obtain Node ${PINNED}: ${err.message}; ${howToFix()}`);
    process.exit(1);
  }
}
