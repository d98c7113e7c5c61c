#!/usr/bin/env node
// Rotates the catalog's master key: asks the running catalog (embedded host or standalone catalog) to
// re-encrypt every connection secret in one transaction. See services/catalog/README.md "Key rotation".
//   node scripts/catalog-rotate-key.js [--url http://127.0.0.1:8080]
// Default URL: FLOWFORGE_CATALOG_URL, else http://127.0.0.1:$PORT (8080, the embedded host).
// Plain CommonJS with no dependencies (Node >= 20 fetch).
const args = process.argv.slice(2);
const urlFlag = args.indexOf('--url');
const base = (urlFlag >= 0 ? args[urlFlag + 1] : process.env.FLOWFORGE_CATALOG_URL || `http://127.0.0.1:${process.env.PORT || 8080}`).replace(/\/$/, '');

async function main() {
  let res;
  try {
    res = await fetch(`${base}/internal/catalog/secrets/rotate`, { method: 'POST', headers: { accept: 'application/json' } });
  } catch (err) {
    process.stderr.write(`FF_CATALOG_UNREACHABLE: no catalog answered at ${base} (${err.cause?.code ?? err.message}); start FlowForge or pass --url\n`);
    process.exit(1);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    process.stderr.write(`${body.code ?? 'FF_ROTATION_FAILED'}: ${body.detail ?? `catalog answered HTTP ${res.status}`}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `master key rotated to ${body.keyId} (was ${body.previousKeyId}): ${body.total} secret(s) re-encrypted\n${body.next}\n`,
  );
}

main();
