import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../cli.program';
import { capturedIo, type CapturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer, problem, type FakeHandler, type FakeRequest } from '../testing/fake.gateway';
import { parseParams } from './transform.commands';

const TOKEN = 'ffp_0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a.Secret';

const JOBS = `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: silver-orders }
spec:
  type: transform.silver
  config: { source: bronze.sales.orders, steps: [{ op: dedupe, keys: [id] }], target: { namespace: sales, table: orders } }
---
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: load }
spec:
  type: ingest.file
  config: { connection: landing, path: a.csv, target: { namespace: sales, table: orders } }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: orders }
spec:
  steps:
    - { id: load, job: load }
    - { id: silver, job: silver-orders, dependsOn: [load] }
`;

const preview = {
  columns: [
    { name: 'id', type: 'BIGINT' },
    { name: 'city', type: 'VARCHAR' },
  ],
  rows: [
    { id: '1', city: 'Lyon' },
    { id: '2', city: null },
  ],
  rowCount: 2,
  rowCountExact: true,
  rejectedCount: 1,
  sampled: [],
  failures: [],
  inputs: [{ table: 'bronze.sales.orders', snapshot: '3f1c2b7a-0000-4000-8000-000000000001' }],
  sql: 'SELECT …',
};

describe('preview and sql commands (against a fake gateway)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-transform-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[], routes: Record<string, FakeHandler>): Promise<{ code: number; io: CapturedIo; requests: FakeRequest[] }> {
    const gw = fakeGateway(routes);
    const io = capturedIo({ FLOWFORGE_CONFIG_DIR: dir, FLOWFORGE_TOKEN: TOKEN }, { fetch: gw.fetch, cwd: dir });
    const code = await runCli(argv, io);
    return { code, io, requests: gw.requests };
  }

  it('preview -f picks the one previewable job of the file, sends its type and config, prints rows, schema and counts', async () => {
    fs.writeFileSync(path.join(dir, 'jobs.yaml'), JOBS);
    const r = await cli(['preview', '-f', 'jobs.yaml', '-n', '5'], { 'POST /api/v1/transform/preview': () => jsonAnswer(200, preview) });
    expect(r.code).toBe(0);
    expect(r.requests[0]!.body).toEqual({
      type: 'transform.silver',
      config: { source: 'bronze.sales.orders', steps: [{ op: 'dedupe', keys: ['id'] }], target: { namespace: 'sales', table: 'orders' } },
      limit: 5,
    });
    const out = r.io.stdout.text;
    expect(out).toMatch(/ID +CITY/i);
    expect(out).toContain('Lyon');
    expect(out).toMatch(/output schema/);
    expect(r.io.stderr.text).toContain('job silver-orders: 2 of 2 rows shown, 1 would be rejected; read bronze.sales.orders@3f1c2b7a; nothing was written');
  });

  it('preview names what is wrong: a job not in the file, a job of a type it cannot preview, the server refusing the config', async () => {
    fs.writeFileSync(path.join(dir, 'jobs.yaml'), JOBS);
    const missing = await cli(['preview', '-f', 'jobs.yaml', '--job', 'nope'], {});
    expect(missing.code).not.toBe(0);
    expect(missing.io.stderr.text).toContain('holds no Job named "nope" (jobs: silver-orders, load)');
    const ingest = await cli(['preview', '-f', 'jobs.yaml', '--job', 'load'], {});
    expect(ingest.io.stderr.text).toContain('job "load" is of type ingest.file');
    const refused = await cli(['preview', '-f', 'jobs.yaml'], {
      'POST /api/v1/transform/preview': () =>
        new Response(
          JSON.stringify({
            type: 'about:blank',
            title: 'Bad Request',
            status: 400,
            code: 'FF_TRANSFORM_UNKNOWN_COLUMN',
            detail: 'unknown column',
            errors: [{ field: 'config.steps[0].keys[0]', message: 'unknown column "id"' }],
          }),
          { status: 400, headers: { 'content-type': 'application/problem+json' } },
        ),
    });
    expect(refused.code).not.toBe(0);
    expect(refused.io.stderr.text).toContain('config.steps[0].keys[0]');
  });

  it('sql sends the query with typed parameters and the limit, prints the rows and says when there are more', async () => {
    const r = await cli(
      ['sql', 'SELECT * FROM silver.sales.orders WHERE day >= :since AND big = :big', '-p', 'since=2026-01-01', '-p', 'big=true', '-n', '2'],
      {
        'POST /api/v1/sql/query': () => jsonAnswer(200, { columns: preview.columns, rows: preview.rows, truncated: true, inputs: preview.inputs }),
      },
    );
    expect(r.code).toBe(0);
    expect(r.requests[0]!.body).toEqual({
      sql: 'SELECT * FROM silver.sales.orders WHERE day >= :since AND big = :big',
      params: { since: '2026-01-01', big: true },
      limit: 2,
    });
    expect(r.io.stdout.text).toContain('Lyon');
    expect(r.io.stderr.text).toContain('2 rows (more exist: raise --limit)');
    const refused = await cli(['sql', "SELECT * FROM read_csv('/etc/passwd')"], {
      'POST /api/v1/sql/query': () => problem(403, 'FF_SQL_NOT_ALLOWED', 'custom SQL reads lake tables only'),
    });
    expect(refused.code).not.toBe(0);
    expect(refused.io.stderr.text).toContain('Forbidden: custom SQL reads lake tables only');
  });

  it('parseParams types values and refuses bad flags by name', () => {
    expect(parseParams(['a=1', 'b=2.5', 'c=true', 'd=null', 'e=text', 'f=007x'])).toEqual({ a: 1, b: 2.5, c: true, d: null, e: 'text', f: '007x' });
    expect(() => parseParams(['novalue'])).toThrow('--param must be name=value');
    expect(() => parseParams(['1bad=x'])).toThrow('--param must be name=value');
    expect(() => parseParams(['a=1', 'a=2'])).toThrow('--param a is given twice');
    expect(() => parseParams(['a=x\u0000'])).toThrow('NUL');
    expect(() => parseParams(Array.from({ length: 51 }, (_, i) => `p${i}=1`))).toThrow('at most 50');
  });
});
