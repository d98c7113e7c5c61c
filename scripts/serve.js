#!/usr/bin/env node
// `npx nx serve <service>`: builds when needed, then runs that service's dist main (standalone mode;
// `embedded` runs the all-in-one host).
const fs = require('node:fs');
const path = require('node:path');
const { prepare, runChild, root } = require('./start');

if (!require('./node-pin').reexecWithPinnedNode()) serve();

function serve() {
  const service = process.argv[2];
  const services = fs.existsSync(path.join(root, 'services'))
    ? fs.readdirSync(path.join(root, 'services')).filter((d) => fs.existsSync(path.join(root, 'services', d, 'src', 'main.ts')))
    : [];
  if (!service || !services.includes(service)) {
    process.stderr.write(`usage: node scripts/serve.js <service>\n  services: ${services.join(', ')}\n`);
    process.exit(64);
  }
  prepare();
  runChild(`dist/services/${service}/src/main.js`, process.argv.slice(3));
}
