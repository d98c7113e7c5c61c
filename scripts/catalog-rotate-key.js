#!/usr/bin/env node
// Rotates the catalog's master key through the public API: POST /api/v1/system/secrets/rotate, which
// re-encrypts every connection secret in one transaction. Needs settings:configure-system (admin).
// See services/catalog/README.md "Key rotation".
//   FLOWFORGE_TOKEN=<admin access token or API token> node scripts/catalog-rotate-key.js [--url http://127.0.0.1:8080]
// Default URL: FLOWFORGE_URL, else http://127.0.0.1:$PORT (8080, the embedded host or the gateway).
// Plain CommonJS with no dependencies (Node >= 20 fetch).
const args = process.argv.slice(2);
const urlFlag = args.indexOf('--url');
const base = (urlFlag >= 0 ? args[urlFlag + 1] : process.env.FLOWFORGE_URL || `http://127.0.0.1:${process.env.PORT || 8080}`).replace(/\/$/, '');
const token = process.env.FLOWFORGE_TOKEN;

async function main() {
  if (!token) {
    process.stderr.write(
      'FF_AUTH_REQUIRED: set FLOWFORGE_TOKEN to an admin access token or an API token holding settings:configure-system (`flowforge tokens create`)\n',
    );
    process.exit(2);
  }
  let res;
  try {
    res = await fetch(`${base}/api/v1/system/secrets/rotate`, { method: 'POST', headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  } catch (err) {
    process.stderr.write(`FF_GATEWAY_UNREACHABLE: nothing answered at ${base} (${err.cause?.code ?? err.message}); start FlowForge or pass --url\n`);
    process.exit(1);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    process.stderr.write(`${body.code ?? 'FF_ROTATION_FAILED'}: ${body.detail ?? `the gateway answered HTTP ${res.status}`}\n`);
    process.exit(1);
  }
  process.stdout.write(`master key rotated to ${body.keyId} (was ${body.previousKeyId}): ${body.total} secret(s) re-encrypted\n${body.next}\n`);
}

main();
