import { fakeGateway, jsonAnswer } from '../testing/fake.gateway';
import { expandRoute, FlowForgeClient } from './flowforge.client';

const SERVER = 'http://gateway.test/flowforge';

describe('FlowForgeClient routes (typed by the generated ApiPaths)', () => {
  it('fills path parameters percent-encoded, keeps the base path, and sends the query', async () => {
    const gw = fakeGateway({
      'GET /flowforge/api/v1/assets/a%2Fb%20c/preview': () =>
        jsonAnswer(200, { assetId: 'a/b c', snapshotId: 's', sequence: 1, limit: 5, columns: [], rows: [] }),
    });
    const client = new FlowForgeClient({ baseUrl: SERVER, token: 't', fetch: gw.fetch });
    const preview = await client.previewAsset('a/b c', { limit: 5 });
    expect(preview.assetId).toBe('a/b c');
    expect(gw.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /flowforge/api/v1/assets/a%2Fb%20c/preview?limit=5']);
  });

  it('sends a route without path parameters as it is, with the JSON body', async () => {
    const gw = fakeGateway({
      'POST /flowforge/api/v1/runs/r-1/cancel': (req) => jsonAnswer(200, { id: 'r-1', reason: (req.body as { reason: string }).reason }),
    });
    const client = new FlowForgeClient({ baseUrl: SERVER, token: 't', fetch: gw.fetch });
    const run = await client.cancelRun('r-1', 'wrong day');
    expect(run.reason).toBe('wrong day');
    expect(gw.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('expandRoute refuses a route whose path parameter is missing instead of calling a wrong URL', () => {
    expect(expandRoute('/api/v1/runs/{id}/logs', { id: 42 })).toBe('/api/v1/runs/42/logs');
    expect(expandRoute('/api/v1/runs', undefined)).toBe('/api/v1/runs');
    expect(() => expandRoute('/api/v1/runs/{id}', {})).toThrow('/api/v1/runs/{id} needs the path parameter "id"');
  });
});
