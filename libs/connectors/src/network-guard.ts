import net, { BlockList, isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';
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
  [
    'link-local',
    list([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    list([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'unspecified',
    list([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
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
  [
    'multicast',
    list([
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
  [
    'reserved',
    list([
      ['240.0.0.0', 4, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
    ]),
  ],
];

/** Names of cloud metadata services (their addresses are in CLASSES too). */
const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad allowed); null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (t: string | undefined) => (t ? t.split(':').map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  return tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * IPv6 forms that carry an IPv4 address are judged by it: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::/96), IPv4-compatible (::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
 */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6]!, g[7]!);
  if (zeros(6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
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
      `${host === address && !isIP(host) ? `${host} is a cloud metadata name` : `${host} resolves to ${address} (${addressClass.replace('-', ' ')} address)`}, which outbound calls refuse; ` +
        'an administrator (settings:configure-system) may set allowPrivateNetworks: true on the connection if this target is intended',
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
  // Refused by name too: where such a name does not resolve here, the answer must not differ from one where it does.
  if (!allowPrivateNetworks && METADATA_NAMES.has(bare.toLowerCase().replace(/\.$/, ''))) throw new ForbiddenAddressError(bare, bare, 'cloud-metadata');
  const answers = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (answers.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  if (!allowPrivateNetworks) {
    for (const a of answers) {
      const cls = classifyAddress(a.address);
      if (cls) throw new ForbiddenAddressError(bare, a.address, cls);
    }
  }
  // One address is pinned: IPv4 first, as most dual-stack names (localhost) serve at least IPv4.
  const first = answers.find((a) => a.family === 4) ?? answers[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** Every lookup answers the address already checked by the guard: the connection goes nowhere else. */
export function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/**
 * A `lookup` for sockets a driver opens by itself (brokers a Kafka cluster advertises, the hosts the S3
 * SDK derives from bucket and region): each name is resolved and judged when the socket connects, and
 * the socket connects to the address judged, so no host a driver discovers escapes the guard.
 */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return ((host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    resolvePublicTarget(host, allowPrivateNetworks).then(
      (target) => (opts?.all ? cb(null, [{ address: target.address, family: target.family }]) : cb(null, target.address, target.family)),
      (err: unknown) => cb(err),
    );
  }) as unknown as LookupFunction;
}

/**
 * A socket skips `lookup` for an IP literal: sockets opened with guardedLookup check literals here first.
 * Returns the refusal, or null when `host` is a name or an allowed address.
 */
export function refusedLiteral(host: string, allowPrivateNetworks: boolean): ForbiddenAddressError | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (allowPrivateNetworks || !isIP(bare)) return null;
  const cls = classifyAddress(bare);
  return cls ? new ForbiddenAddressError(bare, bare, cls) : null;
}

/** A TCP (or TLS) socket whose every address passes the guard: literals checked, names resolved by guardedLookup. */
export function guardedSocket(opts: {
  host: string;
  port: number;
  allowPrivateNetworks: boolean;
  tls?: tls.ConnectionOptions | null;
  onConnect?: () => void;
}): net.Socket {
  const refused = refusedLiteral(opts.host, opts.allowPrivateNetworks);
  if (refused) {
    const socket = new net.Socket();
    process.nextTick(() => socket.destroy(refused));
    return socket;
  }
  const lookup = guardedLookup(opts.allowPrivateNetworks);
  if (opts.tls)
    return tls.connect({ host: opts.host, port: opts.port, lookup, ...(isIP(opts.host) ? {} : { servername: opts.host }), ...opts.tls }, opts.onConnect);
  return net.connect({ host: opts.host, port: opts.port, lookup }, opts.onConnect);
}

/** The guard's refusal somewhere in a driver's error (drivers wrap socket errors in their own). */
export function forbiddenAddressIn(err: unknown): ForbiddenAddressError | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 32) {
    const cur = queue.shift();
    if (!cur || typeof cur !== 'object' || seen.has(cur)) continue;
    seen.add(cur);
    if (cur instanceof ForbiddenAddressError) return cur;
    const { cause, originalError, errors } = cur as { cause?: unknown; originalError?: unknown; errors?: unknown };
    queue.push(cause, originalError, ...(Array.isArray(errors) ? errors : []));
  }
  return null;
}
