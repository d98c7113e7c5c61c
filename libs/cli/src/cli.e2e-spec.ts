import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { verifyAuditChain, type ChainedAuditRecord } from '@flowforge/access';
import { attemptPrefix, newAttemptId, writeParquet } from '@flowforge/engine';
import { generateInternalToken, INTERNAL_TOKEN_HEADER } from '@flowforge/service-kit';
import { LocalObjectStore } from '@flowforge/storage';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { Client } from 'pg';
import type { RunDto } from '@flowforge/contracts/http-api';
import { CredentialStore } from './auth/credentials.store';
import { runCli } from './cli.program';
import { capturedIo } from './testing/captured.io';

// The CLI against a real embedded host (every service, real PostgreSQL, the builtin executor running
// noop/sleep/fail), built the way `npm start` builds it. Most commands run in-process (runCli with
// captured streams); a few go through the real bin, `node scripts/flowforge.js`, to prove it too.
// Every /api route needs a credential: the suite signs in first (`flowforge login --password-stdin`
// through the bin, stored in a temp FLOWFORGE_CONFIG_DIR), as a user of the CLI would.

const repoRoot = path.resolve(__dirname, '../../..');
const HOST_MAIN = path.join(repoRoot, 'dist/services/embedded/src/main.js');
const BIN = path.join(repoRoot, 'scripts/flowforge.js');
const FIXTURE = path.join(repoRoot, 'libs/workflow/src/__fixtures__/pipeline.yaml');
/** The sample data set (docs/examples/data). */
const SAMPLES = path.join(repoRoot, 'docs/examples/data');
/** The host's internal token (FLOWFORGE_INTERNAL_TOKEN), for the one internal call: a writer's commit. */
const INTERNAL_TOKEN = generateInternalToken();
/** The first admin, created by the host at first start (FLOWFORGE_BOOTSTRAP_ADMIN_*). */
const ADMIN = { username: 'admin', password: 'Cli-Root-Pass-2026' };

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

/** The bin as a user runs it: its own process, exit code and streams; `input` is piped to its stdin. */
function runBin(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.FLOWFORGE_URL;
    delete base.FLOWFORGE_TOKEN;
    delete base.FLOWFORGE_CONFIG_DIR;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: repoRoot,
      env: { ...base, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('flowforge CLI against a real embedded host', () => {
  let db: TestDatabase;
  let home: string;
  let host: ChildProcess;
  let hostOutput = '';
  let url: string;
  /** Where `flowforge login` stores the sign-in (FLOWFORGE_CONFIG_DIR); `nowhere` stays empty. */
  let configDir: string;
  let nowhere: string;
  /** Everything the CLI printed, to check that no password or token was ever among it. */
  const printed: string[] = [];
  /** The secrets seen during the run (passwords, tokens). */
  const secrets = new Set<string>([ADMIN.password]);

  /** The CLI in-process, pointed at the host through FLOWFORGE_URL, with the stored sign-in. */
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return cliWith({}, ...argv);
  }

  /** The same with more (or other) environment, e.g. FLOWFORGE_TOKEN or an empty FLOWFORGE_CONFIG_DIR. */
  async function cliWith(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = capturedIo({ FLOWFORGE_URL: url, FLOWFORGE_CONFIG_DIR: configDir, ...env }, { cwd: home });
    const code = await runCli(argv, io);
    printed.push(io.stdout.text, io.stderr.text);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  }

  /**
   * The bin with the stored sign-in. Its own build notes (`[flowforge] sources changed: rebuilding...`,
   * when a source changed since beforeAll built dist/) are not the CLI's output: left out of stderr.
   */
  async function bin(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const r = await runBin(args, { FLOWFORGE_CONFIG_DIR: configDir, ...env }, input);
    const stderr = r.stderr.replace(/^\[flowforge\] .*\n/gm, '');
    printed.push(r.stdout, stderr);
    return { ...r, stderr };
  }

  /** The sign-in as stored now (its tokens change at each refresh). */
  function stored() {
    const credentials = new CredentialStore(configDir).read(url);
    if (credentials) [credentials.accessToken, credentials.refreshToken].forEach((t) => secrets.add(t));
    return credentials;
  }

  async function startRun(workflow: string): Promise<RunDto> {
    const r = await cli('--json', 'run', workflow);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as RunDto;
  }

  beforeAll(async () => {
    // dist/ as `npm start` has it: built when missing or older than a source (scripts/start.js).
    execFileSync(process.execPath, ['-e', "require('./scripts/start').buildIfNeeded()"], { cwd: repoRoot, stdio: 'inherit' });
    db = await createTestDatabase('ff_cli_e2e');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-'));
    configDir = path.join(home, 'config');
    nowhere = path.join(home, 'no-config');
    fs.writeFileSync(path.join(home, 'pipeline.yaml'), PIPELINE);
    fs.writeFileSync(path.join(home, 'broken.yaml'), BAD_PIPELINE);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      FLOWFORGE_HOME: home,
      LOG_LEVEL: 'warn',
      FLOWFORGE_INTERNAL_TOKEN: INTERNAL_TOKEN,
      FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
    host = spawn(process.execPath, [HOST_MAIN], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    host.stdout!.on('data', (d: Buffer) => (hostOutput += d.toString()));
    host.stderr!.on('data', (d: Buffer) => (hostOutput += d.toString()));
    await waitUntil(
      '/health/ready',
      async () => (await fetch(`${url}/health/ready`)).status === 200,
      90_000,
      host,
      () => hostOutput,
    );
    // Sign in as CI would: the real bin, the password on stdin.
    const signedIn = await bin(['login', '--username', ADMIN.username, '--password-stdin'], { FLOWFORGE_URL: url }, `${ADMIN.password}\n`);
    expect(signedIn).toEqual({ code: 0, stdout: `signed in to ${url} as admin (admin)\n`, stderr: '' });
    // apply checks job configs against the types the builtin executor announced: wait for them.
    await waitUntil(
      'builtin job types',
      async () => {
        const headers = { authorization: `Bearer ${stored()!.accessToken}` };
        const body = (await (await fetch(`${url}/api/v1/job-types`, { headers })).json()) as { items: { type: string }[] };
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

  it('login stored the session for this URL in FLOWFORGE_CONFIG_DIR: 0600 in a 0700 directory', () => {
    const file = path.join(configDir, 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(configDir).mode & 0o777).toBe(0o700);
    expect(stored()).toMatchObject({ username: 'admin', accessToken: expect.any(String), refreshToken: expect.stringMatching(/^ffr_/) });
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
    const changes = r.stdout
      .split('\n')
      .filter((l) => /^\d\d:\d\d:\d\d /.test(l))
      .map((l) => l.slice(9).replace(/:.*$/, ''));
    expect(changes.filter((c) => c.startsWith('step finish'))).toEqual(['step finish queued', 'step finish running', 'step finish succeeded']);
    expect(changes.indexOf('step start succeeded')).toBeLessThan(changes.indexOf('step nap running'));
    expect(changes[changes.length - 1]).toBe('run succeeded');
    expect(r.stdout).toMatch(new RegExp(`\\nrun ${id} succeeded in \\d`));
    expect(r.stdout).not.toContain('\u001b');
    const run = JSON.parse((await cli('--json', 'runs', '--workflow', 'cli-greet', '-n', '1')).stdout) as { items: RunDto[] };
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
    const run = JSON.parse(r.stdout) as RunDto;
    expect(run.state).toBe('failed');
    expect(run.steps?.map((s) => [s.stepId, s.state])).toEqual([
      ['start', 'succeeded'],
      ['explode', 'failed'],
      ['after', 'upstream_failed'],
    ]);
  });

  it("reports the server's refusals of a run as error lines with exit 1", async () => {
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
    const id = (JSON.parse(first.stdout) as RunDto).id;
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
    expect(
      again.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message: string }).message),
    ).toEqual(['sleeping', 'woke up']);
  });

  it('runs lists the newest first as a table', async () => {
    const r = await cli('runs', '--workflow', 'cli-doomed');
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RUN +WORKFLOW +VER +STATE +BY +CREATED +TOOK +REASON$/);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toMatch(/^[0-9a-f-]{36} +cli-doomed +1 +failed +admin +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+ +step "explode" failed/);
    const failed = await cli('runs', '--state', 'succeeded', '--json');
    expect((JSON.parse(failed.stdout) as { items: RunDto[] }).items.every((i) => i.state === 'succeeded')).toBe(true);
  });

  it('cancel stops a run; rerun --from-step starts a new run from that step', async () => {
    const run = await startRun('cli-slow');
    const cancelled = await cli('cancel', run.id, '--reason', 'not today');
    expect(cancelled).toEqual({ code: 0, stdout: `run ${run.id} cancelled\n`, stderr: '' });
    const again = await cli('cancel', run.id);
    expect(again.code).toBe(0); // cancelling a cancelled run is a no-op

    const failed = JSON.parse((await cli('--json', 'runs', '--workflow', 'cli-doomed', '-n', '1')).stdout) as { items: RunDto[] };
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
      [
        'order_id  customer    amount  note',
        '       1  customer 1    1.25  数据',
        '       2  customer 2    2.50  数据',
        '       3  customer 3    3.75  NULL',
        '',
      ].join('\n'),
    );
    expect(preview.stderr).toBe(`3 rows of snapshot #1 ${snapshot.id}\n`);
    const asJson = JSON.parse((await cli('--json', 'assets', 'preview', snapshot.assetId, '-n', '1')).stdout) as { rows: unknown[] };
    expect(asJson.rows).toEqual([{ order_id: '1', customer: 'customer 1', amount: '1.25', note: '数据' }]);
  });

  it('ingest uploads a file with a progress report, runs the one-step ingestion and prints rows written and rejected', async () => {
    const headers = { authorization: `Bearer ${stored()!.accessToken}` };
    await waitUntil(
      'ingest.file announced',
      async () => (await fetch(`${url}/api/v1/job-types/ingest.file`, { headers })).status === 200,
      30_000,
      host,
      () => hostOutput,
    );
    const clean = await cli('ingest', path.join(SAMPLES, 'customers.csv'), '--table', 'samples.customers', '--wait');
    expect({ code: clean.code, stderr: clean.stderr }).toEqual({
      code: 0,
      stderr: expect.stringMatching(/^uploaded customers\.csv \(4\.4 KiB\) as uploads\/[0-9a-f-]{36}\/customers\.csv\n/),
    });
    expect(clean.stdout).toContain('samples.customers: 60 rows written, 0 rejected (snapshot ');
    // The messy one: its two ragged rows are rejected, the rest committed (exit 0: committed).
    const messy = await cli('ingest', path.join(SAMPLES, 'payments_legacy.csv'), '-t', 'samples.payments', '-w');
    expect(messy.code).toBe(0);
    expect(messy.stdout).toContain('samples.payments: 40 rows written, 2 rejected');
    // Format options (-o): the decimal comma and day-first dates of the legacy file, typed.
    const typed = await cli(
      'ingest',
      path.join(SAMPLES, 'payments_legacy.csv'),
      '-t',
      'samples.payments_typed',
      '-o',
      'locale.decimalSeparator=,',
      '-o',
      'locale.dateOrder=DMY',
      '-w',
    );
    expect({ code: typed.code, stderr: typed.stderr.split('\n').slice(1).join('\n') }).toMatchObject({ code: 0 });
    expect(typed.stdout).toContain('samples.payments_typed: 40 rows written, 2 rejected');
    const assets = (await (await fetch(`${url}/api/v1/assets?layer=bronze&namespace=samples&table=payments_typed`, { headers })).json()) as {
      currentSnapshot: { schema: { name: string; type: string }[] };
    }[];
    const types = Object.fromEntries(assets[0]!.currentSnapshot.schema.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ paid_on: 'DATE', amount: expect.stringMatching(/^(DOUBLE|DECIMAL)/) });
    // An option the job type refuses is named by the server; the file is uploaded, nothing is run.
    const bad = await cli('ingest', path.join(SAMPLES, 'payments_legacy.csv'), '-t', 'samples.payments_bad', '-o', 'csv.delimiter=;;');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/delimiter/);
    const ls = await cli('--json', 'assets', 'ls', '--layer', 'bronze', '--namespace', 'samples');
    expect((JSON.parse(ls.stdout) as { table: string }[]).map((a) => a.table).sort()).toEqual([
      'customers',
      'payments',
      'payments__rejects',
      'payments_typed',
      'payments_typed__rejects',
    ]);
    // Bad input never reaches the server: usage errors exit 2.
    expect((await cli('ingest', path.join(SAMPLES, 'customers.csv'), '--table', 'nonamespace')).code).toBe(2);
  });

  it('connections browse lists a folder of a file connection by name; an unknown name exits 1', async () => {
    const landing = path.join(home, 'landing', 'samples');
    fs.mkdirSync(path.join(landing, 'archive'), { recursive: true });
    for (const f of fs.readdirSync(SAMPLES)) fs.copyFileSync(path.join(SAMPLES, f), path.join(landing, f));
    const created = await fetch(`${url}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stored()!.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'samples', type: 'local', config: { path: landing } }),
    });
    expect(created.status).toBe(201);
    const browse = await cli('connections', 'browse', 'samples');
    expect(browse.code).toBe(0);
    const lines = browse.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +SIZE +MODIFIED$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(['archive/', 'customers.csv', 'orders.ndjson.gz', 'payments_legacy.csv']);
    const ls = await cli('connections', 'ls');
    expect(ls.stdout).toMatch(/\nsamples +local /);
    const unknown = await cli('connections', 'browse', 'nope');
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no connection named "nope"') });
    const escape = await cli('connections', 'browse', 'samples', '../..');
    expect(escape.code).toBe(1);
    expect(escape.stderr).toContain('path');
  });

  it('the bin (node scripts/flowforge.js) runs the built CLI with the same exit codes', async () => {
    const failing = await bin(['run', 'cli-doomed', '--wait'], { FLOWFORGE_URL: url });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/step explode failed: FF_BUILTIN_FAIL/);
    const listing = await bin(['runs', '--json', '--url', url, '-n', '1']);
    expect(listing.code).toBe(0);
    expect((JSON.parse(listing.stdout) as { items: RunDto[] }).items).toHaveLength(1);
  });

  it('whoami names the signed-in admin, how it signed in and its permissions; --verbose shows no credential', async () => {
    const r = await cli('whoami', '--verbose');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^user +admin \([0-9a-f-]{36}\)\nvia +builtin\ncredential +sign-in of admin stored in .*credentials\.json\nroles +admin\npermissions +.*audit:export, audit:view/,
    );
    expect(r.stderr).toMatch(new RegExp(`^> GET ${url}/api/v1/auth/whoami \\(Bearer: sign-in of admin stored in `));
    expect(r.stderr).toMatch(/\n< 200 OK \(\d+ ms\)\n$/);
  });

  it('refreshes a stored access token that has expired, storing the new pair (the old refresh token is spent)', async () => {
    const before = stored()!;
    // As if the 5 minutes had passed: the CLI refreshes before sending.
    await new CredentialStore(configDir).save(url, { ...before, accessExpiresAt: new Date(Date.now() - 1000).toISOString() });
    const r = await cli('whoami', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { username: string }).username).toBe('admin');
    const after = stored()!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(after.accessExpiresAt)).toBeGreaterThan(Date.now());
    // (Not re-presenting the spent refresh token here: the server takes a second use for a stolen
    // copy and ends the session, which is why the CLI stores the new pair before using it.)
  });

  it('without any credential, a call exits 1 saying how to sign in', async () => {
    const r = await cliWith({ FLOWFORGE_CONFIG_DIR: nowhere }, 'runs');
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: not signed in to ${url} (FF_AUTH_REQUIRED)\n  sign in: flowforge login\n  or, for scripts and CI, set FLOWFORGE_TOKEN to an API token (flowforge tokens create)\n`,
    });
    const viaBin = await bin(['runs'], { FLOWFORGE_URL: url, FLOWFORGE_CONFIG_DIR: nowhere });
    expect(viaBin.code).toBe(1);
    expect(viaBin.stderr).toContain('sign in: flowforge login');
  });

  it('an API token from tokens create works as FLOWFORGE_TOKEN, within its scopes, until revoked', async () => {
    const created = await cli('tokens', 'create', 'cli-e2e-ci', '--permission', 'workflow:view', '--expires-in-days', '1');
    expect({ code: created.code, stderr: created.stderr.split('\n')[0] }).toEqual({ code: 0, stderr: expect.stringMatching(/^created API token/) });
    const token = created.stdout.trim();
    expect(token).toMatch(/^ffp_[0-9a-f-]{36}\./);
    secrets.add(token);
    printed.pop(); // the stderr of create is checked like any other output...
    printed.pop(); // ...but its stdout is the token, on purpose
    printed.push(created.stderr);
    expect(created.stderr).toMatch(/^created API token [0-9a-f-]{36} "cli-e2e-ci" \(workflow:view\), expires \d{4}-/);
    expect(created.stderr).toContain('this is the only time the token is shown');
    const id = /^created API token ([0-9a-f-]{36})/.exec(created.stderr)![1]!;

    const asToken = { FLOWFORGE_TOKEN: token, FLOWFORGE_CONFIG_DIR: nowhere };
    const runs = await cliWith(asToken, 'runs', '--workflow', 'cli-greet', '-n', '1', '--json');
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as { items: RunDto[] }).items).toHaveLength(1);
    const me = await cliWith(asToken, 'whoami');
    expect(me.stdout).toMatch(/^token +cli-e2e-ci \(admin\) \([0-9a-f-]{36}\)\nvia +api-token\ncredential +API token from FLOWFORGE_TOKEN\n/);
    // Beyond its scopes: the server's detail names the permission.
    const forbidden = await cliWith(asToken, 'audit', 'verify');
    expect(forbidden).toEqual({ code: 1, stdout: '', stderr: "error: Forbidden: this API token's scopes do not include audit:view\n" });
    // The bin takes it from the environment too.
    expect((await bin(['runs', '-n', '1'], { FLOWFORGE_URL: url, ...asToken })).code).toBe(0);

    const ls = await cli('tokens', 'ls');
    expect(ls.stdout).toMatch(new RegExp(`\\n${id} +cli-e2e-ci +active +workflow:view +`));
    expect(ls.stdout).not.toContain(token);
    expect(await cli('tokens', 'revoke', id)).toEqual({ code: 0, stdout: `token ${id} revoked\n`, stderr: '' });
    const refused = await cliWith(asToken, 'runs');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: the gateway refused the API token from FLOWFORGE_TOKEN (FF_AUTH_TOKEN_INVALID: the API token is not valid (unknown, revoked or expired))\n' +
        '  use a valid API token (flowforge tokens create), or leave FLOWFORGE_TOKEN unset to use the sign-in of flowforge login\n',
    );
  });

  it('audit verify re-checks the whole chain here: intact, N > 0 entries', async () => {
    const r = await bin(['audit', 'verify'], { FLOWFORGE_URL: url });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' }); // no terminal: no progress bar
    const m = /^audit chain intact: (\d+) entries; last (\d+):([0-9a-f]{64}) \(keep it for --expect\)\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(m![2]).toBe(m![1]);
  });

  it('audit verify --expect catches entries deleted from the end, which the chain alone cannot', async () => {
    const verify = async (...expectArgs: string[]) => bin(['audit', 'verify', ...expectArgs], { FLOWFORGE_URL: url });
    const first = /last (\d+:[0-9a-f]{64})/.exec((await verify()).stdout)![1]!;
    // More entries (sign-ins are audited), then remember the newest as an earlier run would have.
    await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong' }),
    });
    let second = first;
    for (let i = 0; i < 50 && second === first; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = /last (\d+:[0-9a-f]{64})/.exec((await verify()).stdout)![1]!;
    }
    expect(second).not.toBe(first);
    const held = await verify('--expect', first, '--expect', second);
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/2 earlier checkpoint\(s\) unchanged/);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query('ALTER TABLE ff_auth.audit_log DISABLE TRIGGER audit_log_append_only');
      await pg.query('DELETE FROM ff_auth.audit_log WHERE seq > $1', [Number(first.split(':')[0])]);
      await pg.query('ALTER TABLE ff_auth.audit_log ENABLE TRIGGER audit_log_append_only');
    } finally {
      await pg.end();
    }
    expect((await verify()).code).toBe(0); // consistent in itself
    expect((await verify('--expect', first)).code).toBe(0);
    const caught = await verify('--expect', second);
    expect(caught.code).toBe(1);
    expect(caught.stderr).toMatch(
      new RegExp(
        `^error: audit chain does not match an earlier run \\(FF_AUDIT_CHECKPOINT_MISMATCH\\): entry ${second.split(':')[0]} recorded earlier is gone: the log now ends at seq ${first.split(':')[0]}`,
      ),
    );
    expect((await verify('--expect', 'nonsense')).code).toBe(2);
  });

  it('audit export writes a whole CSV file (header seq,id,at...) or JSON that verifies locally; search finds the sign-in', async () => {
    const csv = await cli('audit', 'export', '--format', 'csv', '-o', 'audit.csv');
    expect(csv.code).toBe(0);
    expect(csv.stderr).toMatch(/^wrote [\d.]+ (B|KiB) of audit log to audit\.csv \(csv\)\n$/);
    const lines = fs.readFileSync(path.join(home, 'audit.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^seq,id,at,/);
    expect(lines.length).toBeGreaterThan(1);
    expect(fs.readdirSync(home).filter((f) => f.endsWith('.part'))).toEqual([]);

    expect((await cli('audit', 'export', '-o', 'audit.json')).code).toBe(0);
    const entries = JSON.parse(fs.readFileSync(path.join(home, 'audit.json'), 'utf8')) as ChainedAuditRecord[];
    expect(verifyAuditChain(entries)).toMatchObject({ ok: true, checked: entries.length });

    const search = await cli('audit', 'search', '--action', 'auth:login', '--actor', 'admin', '--json');
    const found = JSON.parse(search.stdout) as { items: ChainedAuditRecord[] };
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((e) => e.action === 'auth:login')).toBe(true);
    const table = await cli('audit', 'search', '--action', 'auth:*', '-n', '2');
    expect(table.stdout.split('\n')[0]).toMatch(/^SEQ +AT +ACTOR +ACTION +RESOURCE +OUTCOME +STATUS +IP$/);
  });

  it("audit verify exits 1 naming the entry edited in the database behind the service's back", async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    let target: number;
    try {
      const { rows } = await pg.query<{ max: string }>('SELECT max(seq) AS max FROM ff_auth.audit_log');
      target = Math.max(2, Math.floor(Number(rows[0]!.max) / 2));
      // A superuser can switch the append-only trigger off; the hash chain still tells.
      await pg.query('ALTER TABLE ff_auth.audit_log DISABLE TRIGGER audit_log_append_only');
      await pg.query(`UPDATE ff_auth.audit_log SET actor_name = 'someone-else' WHERE seq = $1`, [target]);
      await pg.query('ALTER TABLE ff_auth.audit_log ENABLE TRIGGER audit_log_append_only');
    } finally {
      await pg.end();
    }
    const r = await bin(['audit', 'verify'], { FLOWFORGE_URL: url });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: audit chain broken at seq ${target} (FF_AUDIT_CHAIN_BROKEN, hash-mismatch): entry ${target} does not match its hash: its content was changed after it was written\n` +
        `  ${target - 1} entries before it verified intact\n`,
    );
  });

  it('login of an account that must change its password changes it on the terminal; the next call works', async () => {
    const user = { username: 'cli-bob', password: 'Bob-Initial-Pass-2026', next: 'Bob-Changed-Pass-2027' };
    [user.password, user.next].forEach((p) => secrets.add(p));
    const created = await fetch(`${url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stored()!.accessToken}` },
      body: JSON.stringify({ username: user.username, password: user.password, roles: ['analyst'], mustChangePassword: true }),
    });
    expect(created.status).toBe(201);
    const bobConfig = path.join(home, 'config-bob');
    const answers = [user.password, user.next, user.next];
    const asked: string[] = [];
    const io = capturedIo({ FLOWFORGE_URL: url, FLOWFORGE_CONFIG_DIR: bobConfig }, { cwd: home, prompt: async (q) => (asked.push(q), answers.shift() ?? '') });
    expect(await runCli(['login', '--username', user.username], io)).toBe(0);
    printed.push(io.stdout.text, io.stderr.text);
    expect(asked).toEqual(['Password: ', 'New password: ', 'Repeat the new password: ']);
    expect(io.stdout.text).toBe(`signed in to ${url} as cli-bob (analyst)\npassword changed; your other sessions have been ended\n`);
    const runs = await cliWith({ FLOWFORGE_CONFIG_DIR: bobConfig }, 'runs', '-n', '1');
    expect(runs.code).toBe(0);
    // The old password is gone; the new one signs in without a change asked for.
    const again = await bin(['login', '-u', user.username, '--password-stdin'], { FLOWFORGE_URL: url, FLOWFORGE_CONFIG_DIR: bobConfig }, user.next);
    expect(again).toEqual({ code: 0, stdout: `signed in to ${url} as cli-bob (analyst)\n`, stderr: '' });
  });

  it('a scripted sign-in changes a must-change password with passwd --password-stdin; the next command works', async () => {
    const user = { username: 'cli-carol', password: 'Carol-Initial-Pass-2026', next: 'Carol-Changed-Pass-2027' };
    [user.password, user.next].forEach((p) => secrets.add(p));
    const created = await fetch(`${url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stored()!.accessToken}` },
      body: JSON.stringify({ username: user.username, password: user.password, roles: ['analyst'], mustChangePassword: true }),
    });
    expect(created.status).toBe(201);
    const env = { FLOWFORGE_URL: url, FLOWFORGE_CONFIG_DIR: path.join(home, 'config-carol') };
    const login = await bin(['login', '-u', user.username, '--password-stdin'], env, `${user.password}\n`);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('flowforge passwd --password-stdin');
    const blocked = await bin(['runs', '-n', '1'], env);
    expect(blocked.code).toBe(1); // FF_AUTH_PASSWORD_CHANGE_REQUIRED until the change
    const weak = await bin(['passwd', '--password-stdin'], env, `${user.password}\nshort\n`);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^error: the new password is not accepted \(FF_PASSWORD_POLICY\); nothing was changed\n/);
    const changed = await bin(['passwd', '--password-stdin'], env, `${user.password}\n${user.next}\n`);
    expect(changed).toEqual({ code: 0, stdout: 'password changed; your other sessions have been ended\n', stderr: '' });
    const runs = await bin(['runs', '-n', '1'], env);
    expect(runs.code).toBe(0);
  });

  it('logout ends the session and deletes it; the next call says how to sign in', async () => {
    const before = stored()!;
    const r = await cli('logout');
    expect(r).toEqual({ code: 0, stdout: `signed out of ${url}\n`, stderr: '' });
    expect(stored()).toBeUndefined();
    const after = await cli('runs');
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(new RegExp(`^error: not signed in to ${url} \\(FF_AUTH_REQUIRED\\)\\n  sign in: flowforge login\\n`));
    // The server ended the session too: its tokens no longer work anywhere.
    const old = await fetch(`${url}/api/v1/auth/whoami`, { headers: { authorization: `Bearer ${before.accessToken}` } });
    expect(old.status).toBe(401);
  });

  it('never printed a password or a token (the created API token aside, on purpose)', () => {
    const all = printed.join('\n');
    expect([...secrets].filter((s) => all.includes(s))).toEqual([]);
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
