import { parseServiceAccountKey, type BigQueryConfig } from '../connection-types';
import { failed, succeeded, type ProbeOutcome } from './probe-outcome';
import { isAnswer, reachEndpoint, readPrivateKey } from './saas-endpoint';

/** Google's BigQuery API endpoint: fixed (a config cannot aim the key at another host). */
export const BIGQUERY_ENDPOINT = new URL('https://bigquery.googleapis.com/');

/**
 * BigQuery is a paid SaaS that no test here can reach, so this probe checks what it can without Google,
 * and says so: the service account key's `private_key` must open (offline), then the API endpoint must
 * answer HTTPS (`HEAD`, through the address guard, never to private addresses, 5 s). A reached endpoint
 * is `ok: true` with a message saying the key was not exchanged for a token (the first export does);
 * an unresolvable or silent endpoint is the network failure it is. `url` is the endpoint; tests aim it
 * at a local address.
 */
export async function probeBigQuery(c: BigQueryConfig, url: URL = BIGQUERY_ENDPOINT): Promise<ProbeOutcome> {
  const key = parseServiceAccountKey(c.credentials);
  // The schema admitted the key; a key stored before a stricter schema is answered, not thrown.
  if (!key) return failed('FF_CONN_AUTH', `BigQuery project "${c.projectId}": credentials are not a service account JSON key`);
  const pem = readPrivateKey(key.private_key, undefined);
  if (!pem.ok) return failed('FF_CONN_AUTH', `BigQuery project "${c.projectId}": the service account key's private_key cannot be used (${pem.reason})`);
  const reached = await reachEndpoint(url, false, 'BigQuery API');
  if (!isAnswer(reached)) return reached;
  return succeeded(
    `BigQuery API answers at ${reached.origin} (HTTP ${reached.status}); service account ${key.client_email}, project "${c.projectId}", ` +
      `dataset "${c.dataset}": the key is not exchanged for a token by this test: the first export does`,
  );
}
