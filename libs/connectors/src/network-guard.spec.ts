import net, { type AddressInfo } from 'node:net';
import { classifyAddress, ForbiddenAddressError, forbiddenAddressIn, guardedSocket, refusedLiteral, resolvePublicTarget } from './network-guard';

describe('outbound address guard', () => {
  it.each([
    ['169.254.169.254', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
    ['::ffff:a9fe:a9fe', 'cloud-metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud-metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:808:808::1', null],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['8.8.8.8', null],
    ['2606:4700::1111', null],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('refuses a forbidden literal address unless private networks are allowed', async () => {
    await expect(resolvePublicTarget('169.254.169.254', false)).rejects.toThrow(
      /169\.254\.169\.254 resolves to 169\.254\.169\.254 \(cloud metadata address\).*allowPrivateNetworks: true/,
    );
    await expect(resolvePublicTarget('[::1]', false)).rejects.toThrow(/loopback/);
    await expect(resolvePublicTarget('metadata.google.internal', false)).rejects.toThrow(
      /^metadata\.google\.internal is a cloud metadata name, which outbound calls refuse/,
    );
    await expect(resolvePublicTarget('METADATA.google.internal.', false)).rejects.toBeInstanceOf(ForbiddenAddressError);
    await expect(resolvePublicTarget('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('judges every address a name resolves to (localhost is loopback)', async () => {
    await expect(resolvePublicTarget('localhost', false)).rejects.toThrow(/localhost resolves to .* \(loopback address\)/);
  });

  it('refuses literals a socket would not look up, and finds a refusal wrapped in driver errors', () => {
    expect(refusedLiteral('[::1]', false)).toBeInstanceOf(ForbiddenAddressError);
    expect(refusedLiteral('10.0.0.1', true)).toBeNull();
    expect(refusedLiteral('example.com', false)).toBeNull();
    const inner = new ForbiddenAddressError('h', '127.0.0.1', 'loopback');
    const wrapped = Object.assign(new Error('Connection error'), { cause: new AggregateError([new Error('x'), inner]) });
    expect(forbiddenAddressIn(wrapped)).toBe(inner);
    expect(forbiddenAddressIn(new Error('ECONNREFUSED'))).toBeNull();
  });

  it('a guarded socket never connects to a refused address (literal or name), and does to an allowed one', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let accepted = 0;
    server.on('connection', () => accepted++);
    const port = (server.address() as AddressInfo).port;
    const outcome = (host: string, allow: boolean) =>
      new Promise<string>((resolve) => {
        const s = guardedSocket({ host, port, allowPrivateNetworks: allow, onConnect: () => (s.destroy(), resolve('connected')) });
        s.on('error', (err) => resolve(err instanceof ForbiddenAddressError ? 'refused' : `error ${err.message}`));
      });
    try {
      await expect(outcome('127.0.0.1', false)).resolves.toBe('refused');
      await expect(outcome('localhost', false)).resolves.toBe('refused');
      expect(accepted).toBe(0);
      await expect(outcome('127.0.0.1', true)).resolves.toBe('connected');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
