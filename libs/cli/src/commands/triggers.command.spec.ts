import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TriggerDto } from '@flowforge/contracts/http-api';
import { runCli } from '../cli.program';
import { capturedIo, type CapturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer, problem, type FakeHandler, type FakeRequest } from '../testing/fake.gateway';

const TOKEN = 'ffp_0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a.Secret';

const trigger = (over: Partial<TriggerDto>): TriggerDto => ({
  id: '5b8d7c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  name: 'orders-hook',
  description: null,
  workflow: 'load-orders',
  type: 'webhook',
  config: { auth: 'hmac', secret: { set: true } },
  params: {},
  enabled: true,
  version: 1,
  hookPath: '/api/v1/hooks/5b8d7c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  createdAt: '2026-01-01T12:00:00.000Z',
  updatedAt: '2026-01-01T12:00:00.000Z',
  createdBy: 'alice',
  updatedBy: 'alice',
  ...over,
});

describe('triggers commands (against a fake gateway)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-triggers-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[], routes: Record<string, FakeHandler>): Promise<{ code: number; io: CapturedIo; requests: FakeRequest[] }> {
    const gw = fakeGateway(routes);
    const io = capturedIo({ FLOWFORGE_CONFIG_DIR: dir, FLOWFORGE_TOKEN: TOKEN }, { fetch: gw.fetch, cwd: dir });
    const code = await runCli(argv, io);
    return { code, io, requests: gw.requests };
  }

  it('triggers ls lists name, type, workflow, enabled and the webhook path', async () => {
    const items = [trigger({}), trigger({ name: 'kafka-orders', type: 'kafka', hookPath: null, enabled: false })];
    const r = await cli(['triggers', 'ls'], { 'GET /api/v1/triggers': () => jsonAnswer(200, items) });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.io.stdout.text.trimEnd().split('\n');
    expect(header).toMatch(/^NAME +TYPE +WORKFLOW +ENABLED +HOOK$/);
    expect(rows.map((row) => row.split(/ {2,}/).slice(0, 4))).toEqual([
      ['orders-hook', 'webhook', 'load-orders', 'yes'],
      ['kafka-orders', 'kafka', 'load-orders', 'no'],
    ]);
  });

  it('triggers test sends the payload (inline or @file) and the meta, and prints the outcome and parameters', async () => {
    fs.writeFileSync(path.join(dir, 'sample.json'), '{"order":{"id":"o-1"}}');
    const r = await cli(['triggers', 'test', 'orders-hook', '--payload', '@sample.json', '--meta', 'key=a'], {
      'POST /api/v1/triggers/orders-hook/test': () => jsonAnswer(200, { matched: true, reason: 'filter matched', params: { order: 'o-1' } }),
    });
    expect(r.code).toBe(0);
    expect(r.requests[0]!.body).toEqual({ payload: { order: { id: 'o-1' } }, meta: { key: 'a' } });
    expect(r.io.stdout.text).toBe('matched: filter matched\n  order = o-1\n');
    const no = await cli(['triggers', 'test', 'orders-hook', '--payload', '{"x":1}'], {
      'POST /api/v1/triggers/orders-hook/test': () =>
        jsonAnswer(200, { matched: false, reason: 'parameter "order": payload.order.id is missing from the event', params: null }),
    });
    expect(no.io.stdout.text).toBe('not matched: parameter "order": payload.order.id is missing from the event\n');
  });

  it('triggers test refuses a payload that is not a JSON object before calling, and relays a 404', async () => {
    const bad = await cli(['triggers', 'test', 'x', '--payload', '[1]'], {});
    expect(bad.code).not.toBe(0);
    expect(bad.requests).toEqual([]);
    expect(bad.io.stderr.text).toContain('--payload must be a JSON object');
    const missing = await cli(['triggers', 'test', 'nope', '--payload', '{}'], {
      'POST /api/v1/triggers/nope/test': () => problem(404, 'FF_TRIGGER_NOT_FOUND', 'trigger "nope" does not exist'),
    });
    expect(missing.code).not.toBe(0);
    expect(missing.io.stderr.text).toContain('trigger "nope" does not exist');
  });
});
