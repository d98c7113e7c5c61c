import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/** Why an address is not a public internet address; null when it is one. */
export type AddressClass = 'cloud-metadata' | 'link-local' | 'loopback' | 'private' | 'unspecified' | 'multicast' | 'reserved';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
}

// Checked in this order: the first match names the class.
const CLASSES: [AddressClass, BlockList][] = [
  [
    'cloud-metadata',
    list([
      ['169.254.169.254', 32, 'ipv4'], // AWS, GCP, Azure, OpenStack, DigitalOcean
      ['169.254.170.2', 32, 'ipv4'], // AWS ECS task metadata
      ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud
      ['fd00:ec2::254', 128, 'ipv6'], // AWS IMDS over IPv6
    ]),
  ],
  ['link-local', list([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])],
  ['loopback', list([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']])],
  ['unspecified', list([['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']])],
  [
    'private',
    list([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
      ['fc00::', 7, 'ipv6'], // unique local
    ]),
  ],
  ['multicast', list([['224.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']])],
  ['reserved', list([['240.0.0.0', 4, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4']])],
];

/** IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by their IPv4 part. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? null;
}

export function classifyAddress(address: string): AddressClass | null {
  const v4 = embeddedIpv4(address);
  const addr = v4 ?? address;
  const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  for (const [cls, blocks] of CLASSES) if (blocks.check(addr, type)) return cls;
  return null;
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

export class ForbiddenAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(
      `${host} resolves to ${address} (${addressClass.replace('-', ' ')} address), which outbound calls refuse; ` +
        'set allowPrivateNetworks: true on the connection if this target is intended',
    );
    this.name = 'ForbiddenAddressError';
  }
}

/**
 * Resolves `host` once and refuses it when any address is not public (unless allowed). The caller
 * connects to the returned address only, so a DNS answer cannot change between the check and the
 * connection (rebinding).
 */
export async function resolvePublicTarget(host: string, allowPrivateNetworks: boolean): Promise<ResolvedTarget> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const answers = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (answers.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  if (!allowPrivateNetworks) {
    for (const a of answers) {
      const cls = classifyAddress(a.address);
      if (cls) throw new ForbiddenAddressError(bare, a.address, cls);
    }
  }
  const first = answers[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
