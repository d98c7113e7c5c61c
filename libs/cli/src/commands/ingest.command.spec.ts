import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocuments } from '@flowforge/workflow';
import { runCli } from '../cli.program';
import { ByteProgress } from '../output/byte-progress';
import { capturedIo } from '../testing/captured.io';
import { ingestDocuments, parseFormatOptions } from './ingest.command';

const UPLOAD = {
  id: '0b7f0e8e-1f0e-4a57-9d0f-5b1f3c9d2a11',
  name: 'orders.csv',
  path: '0b7f0e8e-1f0e-4a57-9d0f-5b1f3c9d2a11/orders.csv',
  connection: 'uploads',
  size: 12,
  sha256: 'x',
};
const RUN = { id: '3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21', workflow: 'ingest-sales.orders', workflowVersion: 1, state: 'queued' };

describe('flowforge ingest', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-ingest-'));
    file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, 'id,amount\n1,2\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies a job and workflow the workflow model accepts: the uploaded path is the run parameter', () => {
    const { workflow, yaml } = ingestDocuments('sales', 'order_lines', { format: 'csv', mode: 'replace' });
    expect(workflow).toBe('ingest-sales.order_lines');
    const parsed = parseDocuments(yaml);
    expect(parsed.jobs).toHaveLength(1);
    expect(parsed.jobs[0]).toMatchObject({
      name: 'ingest-sales.order_lines',
      type: 'ingest.file',
      config: {
        connection: 'uploads',
        format: 'csv',
        target: { layer: 'bronze', namespace: 'sales', table: 'order_lines' },
        mode: 'replace',
      },
    });
    expect(parsed.workflows[0]).toMatchObject({ name: 'ingest-sales.order_lines' });
    // The file is the run's: its path reaches the step as a param, which overrides the job's at dispatch.
    expect(parsed.workflows[0]!.steps[0]).toMatchObject({ id: 'load', job: 'ingest-sales.order_lines', params: { path: '${params.path}' } });
  });

  it('names the job after the table, apart for other tables and other options, within 63 characters', () => {
    const a = ingestDocuments('sales_x', 'orders', { mode: 'append' }).workflow;
    const b = ingestDocuments('sales', 'x_orders', { mode: 'append' }).workflow;
    expect(a).not.toBe(b);
    const long = ingestDocuments('n'.repeat(63), 't'.repeat(63), { mode: 'append' });
    expect(long.workflow.length).toBeLessThanOrEqual(63);
    expect(parseDocuments(long.yaml).workflows).toHaveLength(1);
    const other = ingestDocuments('n'.repeat(63), 't'.repeat(62) + 'u', { mode: 'append' }).workflow;
    expect(other).not.toBe(long.workflow);
    const withOptions = ingestDocuments('sales', 'orders', { mode: 'append', formatOptions: { csv: { delimiter: ';' } } });
    expect(withOptions.workflow).toMatch(/^ingest-sales\.orders-[0-9a-f]{8}$/);
    expect(parseDocuments(withOptions.yaml).jobs[0]!.config).toMatchObject({ options: { csv: { delimiter: ';' } } });
  });

  it('reads -o key=value format options: JSON for booleans, numbers and lists, text otherwise; refuses bad ones', () => {
    expect(
      parseFormatOptions([
        'csv.delimiter=;',
        'csv.header=false',
        'csv.skipRows=2',
        'csv.nullValues=["NA",""]',
        'encoding=windows-1252',
        'locale.decimalSeparator=,',
      ]),
    ).toEqual({ csv: { delimiter: ';', header: false, skipRows: 2, nullValues: ['NA', ''] }, encoding: 'windows-1252', locale: { decimalSeparator: ',' } });
    for (const [flags, says] of [
      [['csv.delimiter'], 'must be key=value'],
      [['a.b.c=1'], 'must be key=value'],
      [['format=csv'], 'use --format'],
      [['csv.quote=x', 'csv.quote=y'], 'given twice'],
      [['csv=1', 'csv.quote=y'], 'clashes'],
      [['csv.quote=a\u0000b'], 'NUL'],
      [Array.from({ length: 33 }, (_, i) => `k${'a'.repeat(i)}=1`), 'at most 32'],
    ] as const) {
      expect(() => parseFormatOptions(flags)).toThrow(says);
    }
  });

  it('uploads the file as a stream with its length, applies the documents and starts the run', async () => {
    const sent: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
    const answers = [
      () => new Response(JSON.stringify(UPLOAD), { status: 201, headers: { 'content-type': 'application/json' } }),
      () => new Response(JSON.stringify({ documents: [] }), { status: 200, headers: { 'content-type': 'application/json' } }),
      () => new Response(JSON.stringify(RUN), { status: 201, headers: { 'content-type': 'application/json' } }),
    ];
    const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      let body: unknown = init?.body;
      if (body instanceof ReadableStream) body = Buffer.from(await new Response(body).arrayBuffer()).toString();
      sent.push({ url: String(input), method: init?.method ?? 'GET', headers: (init?.headers as Record<string, string>) ?? {}, body });
      return answers[sent.length - 1]!();
    };
    const io = capturedIo({}, { fetch: fake as typeof fetch, cwd: dir });
    const code = await runCli(['ingest', 'orders.csv', '--table', 'sales.orders'], io, '1.2.3');
    expect({ code, err: io.stderr.text }).toMatchObject({ code: 0 });
    expect(sent.map((s) => `${s.method} ${new URL(s.url).pathname}${new URL(s.url).search}`)).toEqual([
      'POST /api/v1/uploads?name=orders.csv',
      'POST /api/v1/workflows/apply',
      'POST /api/v1/runs',
    ]);
    expect(sent[0]!.headers['content-type']).toBe('application/octet-stream');
    expect(sent[0]!.headers['content-length']).toBe('14');
    expect(sent[0]!.body).toBe('id,amount\n1,2\n');
    expect(JSON.parse(sent[2]!.body as string)).toEqual({ workflow: 'ingest-sales.orders', params: { path: UPLOAD.path } });
    expect(sent[2]!.headers['idempotency-key']).toBe(`ingest-${UPLOAD.id}`);
    expect(io.stdout.text).toContain(`run ${RUN.id} started`);
  });

  it('refuses a bad table, format or mode and a missing file with exit 2 or 1, before sending anything', async () => {
    for (const [argv, code, says] of [
      [['ingest', 'orders.csv', '--table', 'orders'], 2, '--table must be <namespace>.<table>'],
      [['ingest', 'orders.csv', '--table', 'Sales.orders'], 2, '--table must be'],
      [['ingest', 'orders.csv', '--table', 'a.b.c'], 2, '--table must be'],
      [['ingest', 'orders.csv', '-t', 'sales.orders', '--format', 'xml'], 2, '--format must be one of'],
      [['ingest', 'orders.csv', '-t', 'sales.orders', '--mode', 'merge'], 2, '--mode must be append or replace'],
      [['ingest', 'nope.csv', '-t', 'sales.orders'], 1, 'nope.csv is not a readable file'],
    ] as const) {
      let calls = 0;
      const io = capturedIo({}, { fetch: (async () => (calls++, new Response('{}'))) as typeof fetch, cwd: dir });
      expect({ argv, code: await runCli([...argv], io, '1.2.3') }).toEqual({ argv, code });
      expect(io.stderr.text).toContain(says);
      expect(calls).toBe(0);
    }
  });

  it('draws a progress bar on a terminal, one summary line elsewhere', () => {
    let t = 0;
    const tty = {
      text: '',
      isTTY: true,
      write(s: string) {
        this.text += s;
      },
    };
    const bar = new ByteProgress(tty, 'uploading x.csv', 4 * 1024 * 1024, () => t);
    t = 1000;
    bar.advance(2 * 1024 * 1024);
    expect(tty.text).toContain('uploading x.csv [############            ] 50% 2.0 MiB / 4.0 MiB 2.0 MiB/s');
    const pipe = {
      text: '',
      write(s: string) {
        this.text += s;
      },
    };
    const quiet = new ByteProgress(pipe, 'uploading x.csv', 10);
    quiet.advance(10);
    quiet.done('uploaded x.csv');
    expect(pipe.text).toBe('uploaded x.csv\n');
  });
});
