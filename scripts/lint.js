#!/usr/bin/env node
// `npm run lint`: refresh Nx's project graph, then ESLint. @nx/enforce-module-boundaries reads the
// *cached* graph (.nx/workspace-data); without it the boundary rule silently checks nothing.
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = { ...process.env, NX_DAEMON: 'false' };
const bin = (...p) => path.join(root, 'node_modules', ...p);
execFileSync(process.execPath, [bin('nx', 'dist', 'bin', 'nx.js'), 'graph', `--file=${path.join(os.tmpdir(), `ff-graph-${process.pid}.json`)}`], {
  cwd: root,
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  execFileSync(process.execPath, [bin('eslint', 'bin', 'eslint.js'), ...(process.argv.slice(2).length ? process.argv.slice(2) : ['.'])], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
} catch (e) {
  process.exit(e.status ?? 1);
}
