#!/usr/bin/env node
// Runs a TypeScript benchmark without a build: `node bench/run.js bench/bus-postgres.bench.ts`.
// scripts/ts-register.js compiles .ts on require with the repo's .swcrc (same settings as the build
// and the tests) and resolves `@flowforge/*` to the sources like jest's moduleNameMapper does.
const path = require('node:path');
if (require('../scripts/node-pin').reexecWithPinnedNode()) return;
require('../scripts/ts-register').register();

const target = process.argv[2];
if (!target) {
  console.error('usage: node bench/run.js <file.bench.ts>');
  process.exit(2);
}
require(path.resolve(target));
