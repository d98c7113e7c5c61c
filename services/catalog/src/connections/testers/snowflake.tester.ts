import type { SnowflakeConfig } from '../connection-types';
import { failed, succeeded, type ProbeOutcome } from './probe-outcome';
import { isAnswer, reachEndpoint, readPrivateKey } from './saas-endpoint';

/** The account's URL: https://<account>.snowflakecomputing.com (underscores become hyphens in host names, as Snowflake documents). */
export function snowflakeAccountUrl(account: string): URL {
  return new URL(`https://${account.toLowerCase().replace(/_/g, '-')}.snowflakecomputing.com`);
}

/**
 * Snowflake is a paid SaaS that no test here can reach, so this probe checks what it can without logging
 * in, and says so: the private key (when key-pair authentication) must open and be RSA, then the
 * account's host must answer HTTPS (`HEAD /`, through the address guard, 5 s). A reached account is
 * `ok: true` with a message saying the login itself was not tried (the first export tries it); an
 * unresolvable or silent host is the network failure it is (FF_CONN_HOST_NOT_FOUND, FF_CONN_TIMEOUT…).
 * `url` is the account URL; tests aim it at a local server.
 */
export async function probeSnowflake(c: SnowflakeConfig, url: URL = snowflakeAccountUrl(c.account)): Promise<ProbeOutcome> {
  if (c.privateKey !== undefined) {
    const key = readPrivateKey(c.privateKey, c.privateKeyPassphrase);
    if (!key.ok) return failed('FF_CONN_AUTH', `Snowflake account "${c.account}": the private key cannot be used (${key.reason})`);
    if (key.type !== 'rsa')
      return failed('FF_CONN_AUTH', `Snowflake account "${c.account}": key-pair authentication needs an RSA private key (this one is ${key.type})`);
  }
  const reached = await reachEndpoint(url, c.allowPrivateNetworks, `Snowflake account "${c.account}"`);
  if (!isAnswer(reached)) return reached;
  return succeeded(
    `Snowflake account "${c.account}" answers at ${reached.origin} (HTTP ${reached.status}); the login of user "${c.username}" ` +
      `(${c.privateKey !== undefined ? 'key pair' : 'password'}) to warehouse "${c.warehouse}" is not tried by this test: the first export tries it`,
  );
}
