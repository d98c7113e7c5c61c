import { LocationError } from './location.errors';
import { networkLocationError } from './location-network';
import { resolvePublicTarget, type ResolvedTarget } from './network-guard';

/**
 * The host of a networked location (sftp, ftp, smb), judged by the outbound address guard as catalog
 * testers judge it: loopback, private, link-local and metadata addresses are refused (FF_LOCATION_REFUSED)
 * unless the connection allows private networks. The caller connects to the returned address only, so a
 * DNS answer cannot change between the check and the connection.
 */
export async function guardedTarget(host: string, allowPrivateNetworks: boolean, what: string): Promise<ResolvedTarget> {
  try {
    return await resolvePublicTarget(host, allowPrivateNetworks);
  } catch (err) {
    throw networkLocationError(err, what, host) ?? new LocationError('FF_LOCATION_UNREACHABLE', `${what} host ${host} could not be resolved`);
  }
}

/** Runs `fn` after every earlier call has settled: drivers that allow one command at a time on a session (FTP). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
