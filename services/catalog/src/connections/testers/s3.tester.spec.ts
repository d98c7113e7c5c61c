import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forbiddenAddressIn, guardedAgents } from '@flowforge/connectors';

describe('S3 probe sockets', () => {
  let server: http.Server;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((_rq, rs) => {
      requests++;
      rs.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const headBucket = async (endpoint: string, allowPrivateNetworks: boolean) => {
    const agents = guardedAgents(allowPrivateNetworks);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: false,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
      requestHandler: { ...agents },
    });
    try {
      await client.send(new HeadBucketCommand({ Bucket: 'bucket' }));
      return 'reached';
    } catch (err) {
      return forbiddenAddressIn(err) ? 'refused' : `failed: ${(err as Error).name} ${(err as Error).message} ${String((err as { code?: string }).code)}`;
    } finally {
      client.destroy();
      agents.httpAgent.destroy();
    }
  };

  it('every socket the SDK opens passes the guard, whatever host name it derives (virtual-hosted bucket on localhost)', async () => {
    // The SDK asks for bucket.localhost: a name the probe never saw, judged at connect time (refused where
    // it resolves to loopback, not found where it does not resolve at all; never reached).
    expect(await headBucket(`http://localhost:${port}`, false)).toMatch(/^(refused|failed: .*ENOTFOUND bucket\.localhost)/);
    await expect(headBucket(`http://127.0.0.1:${port}`, false)).resolves.toBe('refused');
    expect(requests).toBe(0);
    await expect(headBucket(`http://127.0.0.1:${port}`, true)).resolves.toBe('reached');
    expect(requests).toBe(1);
  });
});
