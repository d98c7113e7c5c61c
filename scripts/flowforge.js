#!/usr/bin/env node
// `flowforge` (package.json "bin"): the CLI of libs/cli. Builds dist/ first when it is missing or older
// than any source (the same rule and build as `npm start`), then runs dist/libs/cli/src/main.js in this
// process. Build notes go to stderr, so `flowforge export > file.yaml` stays clean.
// Plain CommonJS with no dependencies of its own, like scripts/start.js.
const path = require('node:path');
const { buildIfNeeded, root } = require('./start');

const entry = path.join(root, 'dist', 'libs', 'cli', 'src', 'main.js');
if (!require('./node-pin').reexecWithPinnedNode()) runCli();

function runCli() {
  try {
    buildIfNeeded();
  } catch (err) {
    process.stderr.write(`[flowforge] FF_CLI_BUILD: the build failed (exit ${err.status ?? '?'}); fix it or run \`npm run build\` to see why\n`);
    process.exit(1);
  }
  process.setSourceMapsEnabled(true);
  require(entry);
}
