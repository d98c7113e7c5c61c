#!/usr/bin/env node
// `npm run lint`: refresh Nx's project graph, then ESLint, then prettier's check. @nx/enforce-module-boundaries reads the
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
// Formatting (.prettierrc.json, .prettierignore): `npm run format` fixes what this reports.
try {
  execFileSync(
    process.execPath,
    [bin('prettier', 'bin', 'prettier.cjs'), '--check', '--log-level=warn', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['**/*.{ts,js}'])],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
} catch (e) {
  process.stderr.write('lint: FF_LINT_FORMAT: the files above are not formatted the way prettier formats them; run `npm run format`\n');
  process.exit(e.status ?? 1);
}
