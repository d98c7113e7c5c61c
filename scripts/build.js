#!/usr/bin/env node
// Compiles libs/ and services/ to dist/ with swc (same .swcrc as the tests); `@flowforge/*` imports are
// rewritten to relative paths at compile time, so dist/ runs on plain node with no path hooks.
// Type checking is separate (`npm run typecheck`): swc strips types, tsc checks them.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const swc = require.resolve('@swc/cli/bin/swc.js');
// Built beside dist/ and swapped in by rename: a host, the CLI or a test suite that starts while another
// process builds never sees a half-written tree (two concurrent builds each swap in a complete one).
const out = `dist.tmp-${process.pid}`;
const old = `dist.old-${process.pid}`;
fs.rmSync(path.join(root, out), { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [swc, 'libs', 'services', '-d', out, '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts', '--quiet'],
    { cwd: root, stdio: 'inherit' },
  );
  fs.writeFileSync(path.join(root, out, '.build-stamp'), new Date().toISOString());
  try {
    fs.renameSync(path.join(root, 'dist'), path.join(root, old));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  fs.renameSync(path.join(root, out), path.join(root, 'dist'));
} finally {
  fs.rmSync(path.join(root, out), { recursive: true, force: true });
  fs.rmSync(path.join(root, old), { recursive: true, force: true });
}
