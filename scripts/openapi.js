#!/usr/bin/env node
// The public API's OpenAPI document, committed as services/gateway/openapi.json (what /api/openapi.json serves).
//   node scripts/openapi.js            regenerate the committed file (npm run openapi:gen), then the API types
//                                      generated from it (scripts/api-types-gen.js), so both stay in step
//   node scripts/openapi.js --check    exit 1, with a summary of each differing operation and schema, when it is stale
//                                      (npm run openapi:check; scripts/test.js runs it next to contracts:check)
// Built from the gateway's controllers by a Nest preview application: no database, no bus, no network, and
// the environment is ignored, so the output depends on the sources only.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { register, root } = require('./ts-register');

const MAX_LINES = 40;

async function main(argv) {
  const check = argv.includes('--check');
  register();
  const snapshot = require(path.join(root, 'services/gateway/src/openapi/openapi.snapshot.ts'));
  const { describeOpenApiChanges } = require(path.join(root, 'services/gateway/src/openapi/openapi.diff.ts'));
  const file = path.join(root, snapshot.OPENAPI_SNAPSHOT_PATH);
  const generated = await snapshot.renderOpenApiSnapshot();
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  const summary = (doc) => `${Object.keys(doc.paths).length} paths, ${Object.keys(doc.components?.schemas ?? {}).length} schemas`;

  if (check) {
    if (committed === generated) {
      process.stdout.write(`openapi: ${snapshot.OPENAPI_SNAPSHOT_PATH} is up to date (${summary(JSON.parse(generated))})\n`);
      return 0;
    }
    let lines;
    if (committed === null) lines = ['missing: the file does not exist'];
    else {
      let before;
      try {
        before = JSON.parse(committed);
      } catch (err) {
        before = null;
        lines = [`not JSON: ${err.message}`];
      }
      if (before !== null) {
        lines = describeOpenApiChanges(before, JSON.parse(generated));
        if (lines.length === 0) lines = ['formatting only (same document, different text)'];
      }
    }
    const shown = lines
      .slice(0, MAX_LINES)
      .map((l) => `  ${l}\n`)
      .join('');
    const more = lines.length > MAX_LINES ? `  … and ${lines.length - MAX_LINES} more\n` : '';
    process.stderr.write(
      `FF_OPENAPI_STALE: ${snapshot.OPENAPI_SNAPSHOT_PATH} differs from the gateway's controllers; run \`npm run openapi:gen\` and commit.\n` +
        `  (+ in the controllers only, - in the committed file only, ~ changed)\n${shown}${more}`,
    );
    return 1;
  }

  if (committed === generated) {
    process.stdout.write(`openapi: ${snapshot.OPENAPI_SNAPSHOT_PATH} unchanged (${summary(JSON.parse(generated))})\n`);
  } else {
    fs.writeFileSync(file, generated);
    process.stdout.write(`openapi: wrote ${snapshot.OPENAPI_SNAPSHOT_PATH} (${summary(JSON.parse(generated))})\n`);
  }
  return require('./api-types-gen').main(['--root', root]);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`openapi: ${err.stack ?? err}\n`);
    process.exit(2);
  },
);
