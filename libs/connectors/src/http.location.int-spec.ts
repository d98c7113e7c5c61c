import { Readable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { deterministicStream, hashStream } from '@flowforge/storage/testing';
import { HttpLocation } from './http.location';
import { openLocation } from './location.factory';
import { selectFiles } from './file-selection';

const MIB = 1024 * 1024;
const MODIFIED = 'Wed, 21 Oct 2026 07:28:00 GMT';

/** The http location against real node:http servers on loopback. */
describe('HttpLocation (node:http on loopback)', () => {
  let server: http.Server;
  let other: http.Server;
  let base: string;
  let otherBase: string;
  const seen: { url: string; method: string; authorization?: string; apiKey?: string }[] = [];
  const otherSeen: { url: string; authorization?: string; apiKey?: string }[] = [];
  let bigSha = '';

  const listen = async (s: http.Server) => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    server = http.createServer((rq, rs) => {
      const url = rq.url ?? '';
      seen.push({ url, method: rq.method ?? '', authorization: rq.headers.authorization, apiKey: rq.headers['x-api-key'] as string | undefined });
      if (rq.headers.authorization !== 'Bearer Tok-secret-123') return rs.writeHead(401).end();
      if (url === '/files/a.csv' || url === '/files/a.csv?sig=abc')
        return rs.writeHead(200, { 'content-length': 4, etag: '"v1"', 'last-modified': MODIFIED }).end(rq.method === 'HEAD' ? undefined : 'x\n1\n');
      if (url === '/files/dir%20x/b%20c.csv') return rs.writeHead(200).end('spaced');
      if (url === '/files/nohead.csv') return rq.method === 'HEAD' ? rs.writeHead(405).end() : rs.writeHead(200, { 'content-length': 2 }).end('ok');
      if (url === '/files/forbidden.csv') return rs.writeHead(403).end();
      if (url === '/files/gone.csv') return rs.writeHead(410).end();
      if (url === '/files/broken.csv') return rs.writeHead(503).end();
      if (url === '/files/moved.csv') return rs.writeHead(302, { location: '/files/a.csv' }).end();
      if (url === '/files/loop.csv') return rs.writeHead(302, { location: '/files/loop.csv' }).end();
      if (url === '/files/to-file.csv') return rs.writeHead(302, { location: 'file:///etc/passwd' }).end();
      if (url === '/files/elsewhere.csv') return rs.writeHead(307, { location: `${otherBase}/mirror/a.csv` }).end();
      if (url === '/files/stall.csv') {
        rs.writeHead(200, { 'content-length': 100 });
        return rs.write('x\n'); // then nothing: the idle budget must end the read
      }
      if (url === '/files/big.bin') {
        const src = deterministicStream(5 * MIB, { seed: 3 });
        rs.writeHead(200, { 'content-length': 5 * MIB });
        src.stream.on('end', () => (bigSha = src.sha256()));
        return src.stream.pipe(rs);
      }
      return rs.writeHead(404).end();
    });
    other = http.createServer((rq, rs) => {
      otherSeen.push({ url: rq.url ?? '', authorization: rq.headers.authorization, apiKey: rq.headers['x-api-key'] as string | undefined });
      rs.writeHead(200).end('from the mirror');
    });
    base = await listen(server);
    otherBase = await listen(other);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => other.close(r));
  });

  const location = (extra: Record<string, unknown> = {}) =>
    openLocation(
      'http',
      { baseUrl: `${base}/files`, token: 'Tok-secret-123', headers: { 'x-api-key': 'Key-secret-456' }, allowPrivateNetworks: true, timeoutMs: 5_000, ...extra },
      { localPolicy: { roots: [], guarded: [], notAbove: [] } },
    );

  it('stats with HEAD (size, ETag, Last-Modified), streams a GET, encodes path segments, keeps the base URL query', async () => {
    const loc = location();
    expect(loc).toBeInstanceOf(HttpLocation);
    await loc.test();
    expect(await loc.stat('a.csv')).toEqual({ path: 'a.csv', name: 'a.csv', kind: 'file', size: 4, modifiedAt: '2026-10-21T07:28:00.000Z', etag: 'v1' });
    expect(seen.at(-1)).toMatchObject({ url: '/files/a.csv', method: 'HEAD', authorization: 'Bearer Tok-secret-123', apiKey: 'Key-secret-456' });
    expect(await text(await loc.open('a.csv'))).toBe('x\n1\n');
    expect(await text(await loc.open('dir x/b c.csv'))).toBe('spaced');
    expect(await text(await location({ baseUrl: `${base}/files?sig=abc` }).open('a.csv'))).toBe('x\n1\n');
    // HEAD not implemented (405): the headers of a GET.
    expect(await loc.stat('nohead.csv')).toMatchObject({ size: 2 });
    expect(await selectFiles(loc, { kind: 'path', path: 'a.csv' })).toHaveLength(1);
  });

  it('streams a 5 MiB body (sha256 compared)', async () => {
    const got = await hashStream(await location().open('big.bin'));
    expect(got).toEqual({ sha256: bigSha, size: 5 * MIB });
  });

  it('ends a download that stops sending for timeoutMs (an idle budget), instead of hanging', async () => {
    const stream = await location({ timeoutMs: 300 }).open('stall.csv');
    await expect(text(stream)).rejects.toThrow();
  });

  it('maps statuses: 404/410 → FF_LOCATION_NOT_FOUND (stat null), 401/403 → FF_LOCATION_AUTH, 5xx → retryable FF_LOCATION_FAILED', async () => {
    const loc = location();
    await expect(loc.open('missing.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND', retryable: false });
    await expect(loc.open('gone.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    expect(await loc.stat('missing.csv')).toBeNull();
    await expect(loc.open('forbidden.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
    const unauth = await location({ token: 'wrong-Token-789' })
      .open('a.csv')
      .catch((e: unknown) => e);
    expect(unauth).toMatchObject({ code: 'FF_LOCATION_AUTH', retryable: false });
    expect((unauth as Error).message).not.toContain('wrong-Token-789');
    await expect(location({ token: undefined }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
    await expect(loc.open('broken.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED', retryable: true });
  });

  it('follows redirects (at most 5), never to another scheme, and sends no credentials to another origin', async () => {
    const loc = location();
    expect(await text(await loc.open('moved.csv'))).toBe('x\n1\n');
    await expect(loc.open('loop.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining('more than 5 redirects') });
    await expect(loc.open('to-file.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    expect(await text(await loc.open('elsewhere.csv'))).toBe('from the mirror');
    expect(otherSeen).toEqual([{ url: '/mirror/a.csv', authorization: undefined, apiKey: undefined }]);
  });

  it('has no listing, archive or delete (FF_LOCATION_UNSUPPORTED); refuses "..", a loopback base URL unless allowed, and a dead port is unreachable', async () => {
    const loc = location();
    await expect(loc.list('')).rejects.toMatchObject({ code: 'FF_LOCATION_UNSUPPORTED' });
    await expect(loc.archive('a.csv', 'done/a.csv', { move: true })).rejects.toMatchObject({ code: 'FF_LOCATION_UNSUPPORTED' });
    await expect(loc.delete('a.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_UNSUPPORTED' });
    const before = seen.length;
    // Read-only: a write is refused without a request, and its body is destroyed (its producer not left waiting).
    const body = Readable.from(['x\n']);
    await expect(loc.write('out/a.csv', body)).rejects.toMatchObject({
      code: 'FF_LOCATION_READ_ONLY',
      retryable: false,
      message: expect.stringContaining('out/a.csv'),
    });
    expect(body.destroyed).toBe(true);
    await expect(loc.open('../secret')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(location({ allowPrivateNetworks: false }).open('a.csv')).rejects.toMatchObject({
      code: 'FF_LOCATION_REFUSED',
      message: expect.stringContaining('loopback address'),
    });
    await expect(location({ baseUrl: 'http://169.254.169.254/latest', allowPrivateNetworks: false }).stat('meta-data')).rejects.toMatchObject({
      code: 'FF_LOCATION_REFUSED',
    });
    expect(seen.length).toBe(before); // nothing reached the server
    await expect(location({ baseUrl: 'http://127.0.0.1:1/files' }).open('a.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE', retryable: true });
  });
});
