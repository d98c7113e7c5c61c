// Lets plain node require the TypeScript sources without a build (bench/run.js, scripts/openapi.js):
// .ts is compiled on require with @swc/core and the repo's .swcrc (the settings of the build and the
// tests), and `@flowforge/*` resolves to the sources the way jest's moduleNameMapper does.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '..');
let registered = false;

/** `@flowforge/service-kit` is a lib, `@flowforge/service-<name>` a service, the rest libs. */
function sourceOf(request) {
  if (request === '@flowforge/service-kit') return path.join(root, 'libs', 'service-kit', 'src', 'index.ts');
  if (request === '@flowforge/storage/testing') return path.join(root, 'libs', 'storage', 'src', 'testing', 'index.ts');
  if (request === '@flowforge/contracts/http-api') return path.join(root, 'libs', 'contracts', 'src', 'http-api', 'index.ts');
  const m = /^@flowforge\/(service-)?([a-z0-9-]+)$/.exec(request);
  if (!m) return null;
  return path.join(root, m[1] ? 'services' : 'libs', m[2], 'src', 'index.ts');
}

function register() {
  if (registered) return;
  registered = true;
  const { transformSync } = require('@swc/core');
  const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  delete swcrc.jsc.baseUrl;
  delete swcrc.jsc.paths;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, sourceOf(request) ?? request, ...rest);
  };
  require.extensions['.ts'] = function (module, filename) {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, filename, swcrc: false, sourceMaps: 'inline' });
    module._compile(code, filename);
  };
  require('reflect-metadata');
}

module.exports = { register, root };
