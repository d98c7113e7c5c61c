#!/usr/bin/env node
// Compiles libs/ and services/ to dist/ with swc (same .swcrc as the tests); `@flowforge/*` imports are
// rewritten to relative paths at compile time, so dist/ runs on plain node with no path hooks.
// Type checking is separate (`npm run typecheck`): swc strips types, tsc checks them.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const swc = require.resolve('@swc/cli/bin/swc.js');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [swc, 'libs', 'services', '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts', '--quiet'],
  { cwd: root, stdio: 'inherit' },
);
// Plain .js helpers that live beside the TypeScript sources (e.g. jest setup) are copied as they are.
fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), new Date().toISOString());
