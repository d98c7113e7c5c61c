#!/usr/bin/env node
// Runs a TypeScript benchmark without a build: `node bench/run.js bench/bus-postgres.bench.ts`.
// Compiles .ts on require with @swc/core and the repo's .swcrc (same settings as the build and the
// tests) and resolves `@flowforge/*` to libs/<name>/src like jest's moduleNameMapper does.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@flowforge\/(service-)?(.+)$/.exec(request);
  if (m) request = path.join(root, m[1] ? 'services' : 'libs', m[2], 'src', 'index.ts');
  return resolve.call(this, request, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, filename, swcrc: false, sourceMaps: 'inline' });
  module._compile(code, filename);
};
require('reflect-metadata');

const target = process.argv[2];
if (!target) {
  console.error('usage: node bench/run.js <file.bench.ts>');
  process.exit(2);
}
require(path.resolve(target));
