import { classifyAddress, resolvePublicTarget } from './network-guard';

describe('outbound address guard', () => {
  it.each([
    ['169.254.169.254', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
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
    await expect(resolvePublicTarget('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('judges every address a name resolves to (localhost is loopback)', async () => {
    await expect(resolvePublicTarget('localhost', false)).rejects.toThrow(/localhost resolves to .* \(loopback address\)/);
  });
});
