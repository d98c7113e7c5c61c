import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Entry {
  actorName: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  service: string;
  outcome: string;
  changes: Record<string, unknown> | null;
}

/**
 * DELETE of jobs and workflows through the public API on the real embedded host: the permission,
 * the forwarded 204 and 409 (problem+json), and the audit entry the orchestrator writes in the delete's
 * transaction, by the user who called the gateway.
 */
describe('public API: DELETE /api/v1/workflows/{name} and /api/v1/jobs/{name}', () => {
  let host: AuthHost;
  let admin: string;

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_defdelete'));
    admin = await host.adminToken();
  });

  afterAll(async () => {
    await host?.stop();
  });

  /** The change entries (with before/after) the owning service wrote for `action` on `resourceId`. */
  const auditOf = async (action: string, resourceId: string): Promise<Entry[]> => {
    for (let i = 0; i < 100; i++) {
      const res = await host.call<{ items: Entry[] }>('GET', `/api/v1/audit/entries?limit=1000`, { token: admin });
      const found = res.body.items.filter((e) => e.action === action && e.resourceId === resourceId && e.changes !== null && 'before' in e.changes);
      if (found.length > 0) return found;
      await wait(100);
    }
    return [];
  };

  it('a developer deletes a workflow and then its job; an analyst may not; each delete is audited with its user', async () => {
    const dev = await host.userWith(['developer'], 'dev-deleter');
    const analyst = await host.userWith(['analyst'], 'just-looking');
    expect((await host.call('PUT', '/api/v1/jobs/to-go', { token: dev.token, body: { type: 'noop' } })).status).toBe(201);
    expect((await host.call('PUT', '/api/v1/workflows/to-go-wf', { token: dev.token, body: { steps: [{ id: 'a', job: 'to-go' }] } })).status).toBe(201);

    expect((await host.call('DELETE', '/api/v1/workflows/to-go-wf', { token: analyst.token })).status).toBe(403);
    const inUse = await host.call<{ code: string; detail: string; instance: string }>('DELETE', '/api/v1/jobs/to-go', { token: dev.token });
    expect(inUse.status).toBe(409);
    expect(inUse.headers.get('content-type')).toContain('application/problem+json');
    expect(inUse.body.code).toBe('FF_JOB_IN_USE');
    expect(inUse.body.detail).toContain('"to-go-wf"');
    expect(inUse.body.instance).toBe('/api/v1/jobs/to-go');

    expect((await host.call('DELETE', '/api/v1/workflows/to-go-wf', { token: dev.token })).status).toBe(204);
    expect((await host.call('GET', '/api/v1/workflows/to-go-wf', { token: dev.token })).status).toBe(404);
    expect((await host.call('DELETE', '/api/v1/jobs/to-go', { token: dev.token })).status).toBe(204);
    expect((await host.call('GET', '/api/v1/jobs/to-go', { token: dev.token })).status).toBe(404);

    const wf = await auditOf('workflow:delete', 'to-go-wf');
    expect(wf).toEqual([expect.objectContaining({ actorName: 'dev-deleter', resourceType: 'workflow', outcome: 'success' })]);
    expect(wf[0]!.changes).toMatchObject({ after: null, before: { version: 1 } });
    const job = await auditOf('job:delete', 'to-go');
    expect(job).toEqual([expect.objectContaining({ actorName: 'dev-deleter', resourceType: 'job', outcome: 'success' })]);
    expect(job[0]!.changes).toMatchObject({ after: null, before: { version: 1, type: 'noop' } });
  });
});
