import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { attemptPrefix, newAttemptId, writeParquet } from '@flowforge/engine';
import { generateInternalToken, INTERNAL_TOKEN_HEADER } from '@flowforge/service-kit';
import { LocalObjectStore } from '@flowforge/storage';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import type { RunView } from './api/api.types';
import { runCli } from './cli.program';
import { capturedIo } from './testing/captured.io';

// The CLI against a real embedded host (every service, real PostgreSQL, the builtin executor running
// noop/sleep/fail), built the way `npm start` builds it. Most commands run in-process (runCli with
// captured streams); a few go through the real bin, `node scripts/flowforge.js`, to prove it too.

const repoRoot = path.resolve(__dirname, '../../..');
const HOST_MAIN = path.join(repoRoot, 'dist/services/embedded/src/main.js');
const BIN = path.join(repoRoot, 'scripts/flowforge.js');
const FIXTURE = path.join(repoRoot, 'libs/workflow/src/__fixtures__/pipeline.yaml');
/** The host's internal token (FLOWFORGE_INTERNAL_TOKEN), for the one internal call: a writer's commit. */
const INTERNAL_TOKEN = generateInternalToken();

const PIPELINE = `# builtin job types only: they run in every mode
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: cli-hello
spec:
  type: noop
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: cli-nap
spec:
  type: sleep
  config: { ms: 300 }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: cli-long-nap
spec:
  type: sleep
  config: { ms: 1500 }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: cli-boom
spec:
  type: fail
  config: { message: boom on purpose, retryable: false }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: cli-greet
spec:
  parameters:
    - { name: who, type: string, default: world }
    - { name: times, type: integer, default: 1 }
  steps:
    - { id: start, job: cli-hello }
    - { id: nap, job: cli-nap, dependsOn: [start] }
    - { id: finish, job: cli-hello, dependsOn: [nap] }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: cli-doomed
spec:
  steps:
    - { id: start, job: cli-hello }
    - { id: explode, job: cli-boom, dependsOn: [start] }
    - { id: after, job: cli-hello, dependsOn: [explode] }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: cli-slow
spec:
  steps:
    - { id: doze, job: cli-long-nap }
`;

/** Line 8 is the unknown dependency. */
const BAD_PIPELINE = `apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: cli-broken
spec:
  steps:
    - { id: first, job: cli-hello }
    - { id: second, job: cli-hello, dependsOn: [frist] }
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number, host: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (host.exitCode !== null) throw new Error(`host exited (${host.exitCode}) while waiting for ${what}:\n${output()}`);
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${output()}`);
}

/** The bin as a user runs it: its own process, exit code and streams. */
function runBin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.FLOWFORGE_URL;
    delete base.FLOWFORGE_TOKEN;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('flowforge CLI against a real embedded host', () => {
  let db: TestDatabase;
  let home: string;
  let host: ChildProcess;
  let hostOutput = '';
  let url: string;

  /** The CLI in-process, pointed at the host through FLOWFORGE_URL. */
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = capturedIo({ FLOWFORGE_URL: url }, { cwd: home });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  }

  async function startRun(workflow: string): Promise<RunView> {
    const r = await cli('--json', 'run', workflow);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as RunView;
  }

  beforeAll(async () => {
    // dist/ as `npm start` has it: built when missing or older than a source (scripts/start.js).
    execFileSync(process.execPath, ['-e', "require('./scripts/start').buildIfNeeded()"], { cwd: repoRoot, stdio: 'inherit' });
    db = await createTestDatabase('ff_cli_e2e');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-'));
    fs.writeFileSync(path.join(home, 'pipeline.yaml'), PIPELINE);
    fs.writeFileSync(path.join(home, 'broken.yaml'), BAD_PIPELINE);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, DATABASE_URL: db.url, PORT: String(port), FLOWFORGE_HOME: home, LOG_LEVEL: 'warn', FLOWFORGE_INTERNAL_TOKEN: INTERNAL_TOKEN };
    host = spawn(process.execPath, [HOST_MAIN], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    host.stdout!.on('data', (d: Buffer) => (hostOutput += d.toString()));
    host.stderr!.on('data', (d: Buffer) => (hostOutput += d.toString()));
    await waitUntil('/health/ready', async () => (await fetch(`${url}/health/ready`)).status === 200, 90_000, host, () => hostOutput);
    // apply checks job configs against the types the builtin executor announced: wait for them.
    await waitUntil(
      'builtin job types',
      async () => {
        const body = (await (await fetch(`${url}/api/v1/job-types`)).json()) as { items: { type: string }[] };
        return ['noop', 'sleep', 'fail'].every((t) => body.items.some((i) => i.type === t));
      },
      30_000,
      host,
      () => hostOutput,
    );
  }, 180_000);

  afterAll(async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((r) => host.once('exit', r));
      host.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (host.exitCode === null) host.kill('SIGKILL');
    }
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('applies a pipeline: created the first time, unchanged the second', async () => {
    const first = await cli('apply', '-f', 'pipeline.yaml');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        'job/cli-boom created (version 1)',
        'job/cli-hello created (version 1)',
        'job/cli-long-nap created (version 1)',
        'job/cli-nap created (version 1)',
        'workflow/cli-doomed created (version 1)',
        'workflow/cli-greet created (version 1)',
        'workflow/cli-slow created (version 1)',
      ].sort(),
    );
    expect(first.stderr).toBe('applied pipeline.yaml: 7 created, 0 updated, 0 unchanged\n');
    const again = await cli('apply', '--file', path.join(home, 'pipeline.yaml'), '--json');
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout) as { documents: { status: string }[] };
    expect(result.documents.map((d) => d.status)).toEqual(Array(7).fill('unchanged'));
  });

  it('refuses a bad file before sending it, naming the line (exit 1)', async () => {
    const r = await cli('apply', '-f', 'broken.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: broken.yaml is invalid (FF_WORKFLOW_INVALID, 1 issue)\n' +
        '  broken.yaml: line 8, column 49: step "second": depends on unknown step "frist" (did you mean "first"?)\n',
    );
    expect(r.stdout).toBe('');
    const listed = await cli('--json', 'runs', '--workflow', 'cli-broken');
    expect(JSON.parse(listed.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('passes on what only the server knows: the fixture pipeline is valid YAML, but names job types no executor announced', async () => {
    const r = await cli('apply', '-f', FIXTURE);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Workflow is invalid: /);
    expect(r.stderr).toMatch(/line \d+: unknown job type "ingest\.jdbc" \(no executor has announced it\)/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('run --wait follows a run to success: exit 0, a line per step change, the summary', async () => {
    const r = await cli('run', 'cli-greet', '--param', 'who=cli', '--param', 'times=2', '--wait');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const id = /^run ([0-9a-f-]{36}) started \(cli-greet v1, (queued|running)\)$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    const changes = r.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l)).map((l) => l.slice(9).replace(/:.*$/, ''));
    expect(changes.filter((c) => c.startsWith('step finish'))).toEqual(['step finish queued', 'step finish running', 'step finish succeeded']);
    expect(changes.indexOf('step start succeeded')).toBeLessThan(changes.indexOf('step nap running'));
    expect(changes[changes.length - 1]).toBe('run succeeded');
    expect(r.stdout).toMatch(new RegExp(`\\nrun ${id} succeeded in \\d`));
    expect(r.stdout).not.toContain('\u001b');
    const run = JSON.parse((await cli('--json', 'runs', '--workflow', 'cli-greet', '-n', '1')).stdout) as { items: RunView[] };
    expect(run.items[0]).toMatchObject({ id, state: 'succeeded', params: { who: 'cli', times: 2 } });
  });

  it('run --wait of a failing workflow exits 1 naming the failed step and its error', async () => {
    const r = await cli('run', 'cli-doomed', '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/step explode failed: FF_BUILTIN_FAIL: boom on purpose/);
    expect(r.stdout).toMatch(/step after upstream_failed/);
    expect(r.stdout).toMatch(/\n {2}step explode failed \(attempt 1\): FF_BUILTIN_FAIL: boom on purpose\n/);
    expect(r.stdout).toMatch(/\n {2}logs: flowforge logs [0-9a-f-]{36}\n$/);
  });

  it('run --wait --json prints only the final run', async () => {
    const r = await cli('run', 'cli-doomed', '--wait', '--json');
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout) as RunView;
    expect(run.state).toBe('failed');
    expect(run.steps?.map((s) => [s.stepId, s.state])).toEqual([
      ['start', 'succeeded'],
      ['explode', 'failed'],
      ['after', 'upstream_failed'],
    ]);
  });

  it('reports the server\'s refusals of a run as error lines with exit 1', async () => {
    const badParam = await cli('run', 'cli-greet', '--param', 'times=lots');
    expect(badParam.code).toBe(1);
    expect(badParam.stderr).toMatch(/^error: Run parameters are invalid: .*times/);
    const unknown = await cli('run', 'cli-nope');
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'error: Not found: workflow "cli-nope" does not exist\n' });
  });

  it('the same idempotency key gives the same run', async () => {
    const key = `cli-e2e-${Date.now()}`;
    const first = await cli('--json', 'run', 'cli-greet', '--idempotency-key', key);
    const second = await cli('run', 'cli-greet', '--idempotency-key', key);
    const id = (JSON.parse(first.stdout) as RunView).id;
    expect(second.stdout).toMatch(new RegExp(`^run ${id} already exists for idempotency key "${key}"`));
  });

  it('logs --follow prints the stored lines, then the new ones, and ends when the run ends', async () => {
    const run = await startRun('cli-slow');
    const started = Date.now();
    const r = await cli('logs', run.id, '--follow');
    expect(r.code).toBe(0);
    // The sleep lasts 1.5 s: the follow ended with the run, not before it and not long after.
    expect(Date.now() - started).toBeGreaterThan(800);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z doze#1 INFO {2}sleeping \{"ms":1500\}$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z doze#1 INFO {2}woke up \{"sleptMs":1500\}$/),
    ]);
    expect(r.stderr).toBe(`run ${run.id} succeeded\n`);
    // Without --follow, the same lines; as JSON, one object per line.
    const again = await cli('logs', run.id, '--json');
    expect(again.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['sleeping', 'woke up']);
  });

  it('runs lists the newest first as a table', async () => {
    const r = await cli('runs', '--workflow', 'cli-doomed');
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RUN +WORKFLOW +VER +STATE +CREATED +TOOK +REASON$/);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toMatch(/^[0-9a-f-]{36} +cli-doomed +1 +failed +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+ +step "explode" failed/);
    const failed = await cli('runs', '--state', 'succeeded', '--json');
    expect((JSON.parse(failed.stdout) as { items: RunView[] }).items.every((i) => i.state === 'succeeded')).toBe(true);
  });

  it('cancel stops a run; rerun --from-step starts a new run from that step', async () => {
    const run = await startRun('cli-slow');
    const cancelled = await cli('cancel', run.id, '--reason', 'not today');
    expect(cancelled).toEqual({ code: 0, stdout: `run ${run.id} cancelled\n`, stderr: '' });
    const again = await cli('cancel', run.id);
    expect(again.code).toBe(0); // cancelling a cancelled run is a no-op

    const failed = JSON.parse((await cli('--json', 'runs', '--workflow', 'cli-doomed', '-n', '1')).stdout) as { items: RunView[] };
    const rerun = await cli('rerun', failed.items[0]!.id, '--from-step', 'start', '--wait');
    expect(rerun.code).toBe(1); // it fails the same way again
    expect(rerun.stdout).toMatch(new RegExp(`^run ([0-9a-f-]{36}) started, rerunning ${failed.items[0]!.id} from step start\\n`));
    expect(rerun.stdout).toMatch(/step start succeeded/);
  });

  it('export prints YAML that applies back unchanged', async () => {
    const r = await cli('export', '--workflow', 'cli-greet');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name: cli-greet');
    expect(r.stdout).toContain('kind: Job');
    fs.writeFileSync(path.join(home, 'exported.yaml'), r.stdout);
    const applied = await cli('--json', 'apply', '-f', 'exported.yaml');
    expect((JSON.parse(applied.stdout) as { documents: { status: string }[] }).documents.map((d) => d.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('assets: an empty lake lists nothing; an unknown asset is a 404 error', async () => {
    expect(await cli('assets', 'ls', '--layer', 'silver')).toEqual({ code: 0, stdout: '', stderr: 'no assets\n' });
    expect(JSON.parse((await cli('assets', 'ls', '--json')).stdout)).toEqual([]);
    const missing = await cli('assets', 'show', '00000000-0000-4000-8000-000000000001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Not found: .*00000000-0000-4000-8000-000000000001/);
  });

  it('assets ls, show and preview read a table committed to the lake', async () => {
    // A writer's commit, as an executor makes it: Parquet staged in the host's lake, then the catalog commit.
    const ref = { layer: 'silver' as const, namespace: 'cli', table: 'orders' };
    const written = await writeParquet(new LocalObjectStore({ root: path.join(home, 'lake') }), attemptPrefix(ref, newAttemptId()), {
      sql: "SELECT i::BIGINT AS order_id, 'customer ' || i AS customer, (i * 1.25)::DECIMAL(10,2) AS amount, CASE WHEN i % 3 = 0 THEN NULL ELSE '数据' END AS note FROM range(1, 31) t(i)",
    });
    const commit = await fetch(`${url}/internal/catalog/assets/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN },
      body: JSON.stringify({ ...ref, parentSnapshotId: null, mode: 'overwrite', ...written, idempotencyKey: 'cli-e2e/orders/1' }),
    });
    expect(commit.status).toBe(201);
    const { snapshot } = (await commit.json()) as { snapshot: { id: string; assetId: string } };

    const ls = await cli('assets', 'ls', '--layer', 'silver', '--namespace', 'cli');
    expect(ls.code).toBe(0);
    const [header, row, ...more] = ls.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ASSET +LAYER +NAMESPACE +TABLE +SNAPSHOT +ROWS +SIZE +UPDATED$/);
    expect(row).toMatch(new RegExp(`^${snapshot.assetId} +silver +cli +orders +#1 +30 +[\\d.]+ (B|KiB) +\\d{4}-`));
    expect(more).toEqual([]);

    const show = await cli('assets', 'show', snapshot.assetId);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('table      silver.cli.orders');
    expect(show.stdout).toContain(`current    #1 ${snapshot.id} (30 rows, 1 file,`);
    expect(show.stdout).toMatch(/\namount +DECIMAL\(10,2\) +yes\n/);

    const preview = await cli('assets', 'preview', snapshot.assetId, '-n', '3', '--snapshot', snapshot.id);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toBe(
      ['order_id  customer    amount  note', '       1  customer 1    1.25  数据', '       2  customer 2    2.50  数据', '       3  customer 3    3.75  NULL', ''].join('\n'),
    );
    expect(preview.stderr).toBe(`3 rows of snapshot #1 ${snapshot.id}\n`);
    const asJson = JSON.parse((await cli('--json', 'assets', 'preview', snapshot.assetId, '-n', '1')).stdout) as { rows: unknown[] };
    expect(asJson.rows).toEqual([{ order_id: '1', customer: 'customer 1', amount: '1.25', note: '数据' }]);
  });

  it('the bin (node scripts/flowforge.js) runs the built CLI with the same exit codes', async () => {
    const failing = await runBin(['run', 'cli-doomed', '--wait'], { FLOWFORGE_URL: url });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/step explode failed: FF_BUILTIN_FAIL/);
    const listing = await runBin(['runs', '--json', '--url', url, '-n', '1'], {});
    expect(listing.code).toBe(0);
    expect((JSON.parse(listing.stdout) as { items: RunView[] }).items).toHaveLength(1);
  });

  it('exits 3 naming the URL when the gateway is unreachable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await runBin(['runs'], { FLOWFORGE_URL: closed });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: cannot reach the FlowForge gateway at ${closed} (ECONNREFUSED)`);
    expect(r.stdout).toBe('');
    const inProcess = await runCli(['logs', '--follow', '3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21'], capturedIo({ FLOWFORGE_URL: closed }));
    expect(inProcess).toBe(3);
  });
});
