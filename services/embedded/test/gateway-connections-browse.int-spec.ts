import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}
interface AuditEntry {
  action: string;
  resourceId: string;
  actorName: string;
  changes: Record<string, unknown>;
}

/**
 * GET /api/v1/connections/{id}/browse through the gateway: the permission of the connection test
 * (connection:use), the query checked at the gateway (400 naming `path`), and the secret read audited.
 */
describe('gateway → catalog: browsing a file connection', () => {
  let host: AuthHost;
  let admin: string;
  let roots: string;
  let id: string;

  beforeAll(async () => {
    roots = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ff-gw-browse-')));
    fs.mkdirSync(path.join(roots, 'drop', 'in'), { recursive: true });
    fs.writeFileSync(path.join(roots, 'drop', 'orders.csv'), 'id\n1\n');
    host = await startAuthHost(() => createTestDatabase('ff_gwbrowse'), { FLOWFORGE_LOCAL_CONNECTION_ROOTS: roots });
    admin = await host.adminToken();
    const created = await host.call<{ id: string }>('POST', '/api/v1/connections', {
      token: admin,
      body: { name: 'drop', type: 'local', config: { path: path.join(roots, 'drop') } },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
  });

  afterAll(async () => {
    await host?.stop();
    if (roots) fs.rmSync(roots, { recursive: true, force: true });
  });

  it('needs connection:use: an analyst (connection:view only) gets 403, a developer the listing', async () => {
    const analyst = await host.userWith(['analyst']);
    // The analyst may see the connection, not open it.
    expect((await host.call('GET', `/api/v1/connections/${id}`, { token: analyst.token })).status).toBe(200);
    const refused = await host.call<Problem>('GET', `/api/v1/connections/${id}/browse`, { token: analyst.token });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'FF_FORBIDDEN' });
    expect((await host.call('GET', `/api/v1/connections/${id}/browse`)).status).toBe(401);

    const dev = await host.userWith(['developer']);
    const listed = await host.call<{ path: string; entries: { path: string; kind: string }[]; truncated: boolean }>(
      'GET',
      `/api/v1/connections/${id}/browse?path=`,
      {
        token: dev.token,
      },
    );
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      path: '',
      truncated: false,
      entries: [
        { path: 'in', kind: 'dir' },
        { path: 'orders.csv', kind: 'file' },
      ],
    });

    // Opening a connection's config is a secret read: audited with the caller and the purpose.
    let read: AuditEntry | undefined;
    for (let i = 0; i < 50 && !read; i++) {
      const entries = (await host.call<{ items: AuditEntry[] }>('GET', '/api/v1/audit/entries?limit=1000', { token: admin })).body.items;
      read = entries.find((e) => e.action === 'connection:secret-read' && e.resourceId === id);
      if (!read) await new Promise((r) => setTimeout(r, 100));
    }
    expect(read).toMatchObject({ actorName: dev.username, changes: { purpose: 'connection browse' } });
  });

  it('checks the query at the gateway: a path over 1024 characters or an unknown field is 400 naming it; ".." is 400 naming path', async () => {
    const long = await host.call<Problem>('GET', `/api/v1/connections/${id}/browse?path=${'a'.repeat(1025)}`, { token: admin });
    expect({ status: long.status, fields: long.body.errors?.map((e) => e.field) }).toEqual({ status: 400, fields: ['path'] });
    const unknown = await host.call<Problem>('GET', `/api/v1/connections/${id}/browse?dir=in`, { token: admin });
    expect({ status: unknown.status, fields: unknown.body.errors?.map((e) => e.field) }).toEqual({ status: 400, fields: ['dir'] });
    const up = await host.call<Problem>('GET', `/api/v1/connections/${id}/browse?path=${encodeURIComponent('../..')}`, { token: admin });
    expect({ status: up.status, code: up.body.code, fields: up.body.errors?.map((e) => e.field) }).toEqual({
      status: 400,
      code: 'FF_LOCATION_INVALID_PATH',
      fields: ['path'],
    });
    const missing = await host.call<Problem>('GET', `/api/v1/connections/${id}/browse?path=nope`, { token: admin });
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'FF_LOCATION_NOT_FOUND' });
  });
});
