import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ingestionService } from '@flowforge/service-ingestion';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

jest.setTimeout(60_000);

/** A body fetch streams in chunks (no Content-Length): the server cannot know its size up front. */
function chunked(bytes: Buffer, chunk = 256 * 1024): ReadableStream {
  let at = 0;
  return Readable.toWeb(
    new Readable({
      read() {
        if (at >= bytes.length) return void this.push(null);
        this.push(bytes.subarray(at, (at += chunk)));
      },
    }),
  ) as ReadableStream;
}

describe('POST /api/v1/uploads → ingestion landing folder (streamed)', () => {
  let host: AuthHost;
  let dir: string;
  let admin: string;
  const MAX = 8 * 1024 * 1024;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-uploads-'));
    host = await startAuthHost(() => createTestDatabase('ff_uploads'), { FLOWFORGE_UPLOAD_DIR: dir, FLOWFORGE_UPLOAD_MAX_BYTES: String(MAX) }, [
      ingestionService,
    ]);
    admin = await host.adminToken();
  });
  afterAll(async () => {
    await host?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const upload = (name: string | null, body: string | Buffer | ReadableStream, opts: { token?: string | null; type?: string } = {}) =>
    fetch(`${host.base}/api/v1/uploads${name === null ? '' : `?name=${encodeURIComponent(name)}`}`, {
      method: 'POST',
      headers: {
        'content-type': opts.type ?? 'application/octet-stream',
        ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? admin}` }),
      },
      body,
      duplex: 'half',
    } as RequestInit);
  const folders = () => fs.readdirSync(dir);

  it('streams a 5 MiB file to <dir>/<id>/<name> and answers its path, size and sha256', async () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    const res = await upload('orders 2024.csv', chunked(bytes));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; name: string; path: string; connection: string; size: number; sha256: string };
    expect(body).toMatchObject({
      name: 'orders 2024.csv',
      connection: 'uploads',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(body.path).toBe(`${body.id}/orders 2024.csv`);
    const stored = path.join(dir, body.id, 'orders 2024.csv');
    expect(fs.readFileSync(stored).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.join(dir, body.id))).toEqual(['orders 2024.csv']); // no .part left
  });

  it('refuses an upload over the limit with 413, declared or discovered while streaming, and keeps nothing', async () => {
    const before = folders();
    const big = randomBytes(MAX + 1);
    const declared = await upload('big.csv', big); // a Buffer: fetch sends Content-Length
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'FF_UPLOAD_TOO_LARGE' });
    const streamed = await upload('big.csv', chunked(big));
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: 'FF_UPLOAD_TOO_LARGE' });
    expect(folders()).toEqual(before);
  });

  it('names the field of a bad file name (400) and refuses a body that is not raw bytes (415)', async () => {
    for (const name of [null, '', 'a/b.csv', '..', 'x\u0000.csv', 'x\n.csv', 'back\\slash.csv', 'n'.repeat(256)]) {
      const res = await upload(name, 'a,b\n1,2\n');
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      const problem = (await res.json()) as { errors?: { field: string }[] };
      expect(problem.errors?.[0]?.field).toBe('name');
    }
    const json = await upload('x.json', JSON.stringify({ a: 1 }), { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ code: 'FF_UPLOAD_CONTENT_TYPE' });
  });

  it('needs asset:edit: no token is 401, an analyst or operator 403, and nothing is stored', async () => {
    const before = folders();
    expect((await upload('x.csv', 'a\n1\n', { token: null })).status).toBe(401);
    const analyst = await host.userWith(['analyst']);
    expect((await upload('x.csv', 'a\n1\n', { token: analyst.token })).status).toBe(403);
    const operator = await host.userWith(['operator']);
    expect((await upload('x.csv', 'a\n1\n', { token: operator.token })).status).toBe(403);
    const developer = await host.userWith(['developer']);
    expect((await upload('x.csv', 'a\n1\n', { token: developer.token })).status).toBe(201);
    expect(folders().length).toBe(before.length + 1);
  });
});
