import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { guardedSocket } from './network-guard';

/**
 * HTTP agents whose every socket passes the outbound address guard (network-guard.ts): names are resolved
 * and judged when the socket connects, IP literals before, and the socket goes to the address judged. For
 * SDKs that derive host names themselves (S3 virtual-hosted buckets, Azure account hosts) and for redirects.
 */
export function guardedAgents(allowPrivateNetworks: boolean): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const open = (options: http.ClientRequestArgs & { servername?: string }, secure: boolean): Duplex =>
    guardedSocket({
      host: String(options.host ?? options.hostname ?? 'localhost'),
      port: Number(options.port ?? (secure ? 443 : 80)),
      allowPrivateNetworks,
      tls: secure ? { ...(options.servername ? { servername: options.servername } : {}), rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] } : null,
    });
  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: http.ClientRequestArgs): Duplex {
      return open(options, false);
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: http.ClientRequestArgs): Duplex {
      return open(options, true);
    }
  }
  return { httpAgent: new GuardedHttpAgent({ keepAlive: true }), httpsAgent: new GuardedHttpsAgent({ keepAlive: true }) };
}
