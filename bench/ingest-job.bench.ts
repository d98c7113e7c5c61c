/**
 * A CSV to Bronze through the whole `ingest.file` job: `node bench/run.js bench/ingest-job.bench.ts`
 * (BENCH_ROWS, default 10,000,000 rows ≈ 0.5 GB; BENCH_SMALL_ROWS, default 1,000,000, for the memory check).
 * Each measurement runs in a child process of its own, so its peak RSS is its own:
 *  (a) baseline: bare DuckDB `COPY (SELECT * FROM read_csv(file)) TO 'x.parquet'` (auto-detected types, zstd);
 *  (b) the job: the embedded platform in one process (every service, a scratch database on the machine's
 *      PostgreSQL), a `local` connection on the file's folder, a one-step workflow; timed from POST /runs
 *      to the run's final state: dispatch, download (a local copy), read with exact types, audit columns,
 *      Parquet, staging in the lake, the catalog commit and the ingested-files record.
 * Targets (issue 12): (b) ≥ 0.8× the throughput of (a) on the big file; peak RSS of (b) ≤ 1 GB, and the
 * small file's within 20 % of it (memory flat in the file's size). Same DuckDB memory limit (512MB) for both.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { openDuckDb } from '@flowforge/engine';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { adminApiToken, bearer, testAdminEnv } from '@flowforge/testing';
import { embeddedServices } from '../services/embedded/src/embedded.services';
import { scratchDatabase, sleep, verdict, writeResults, type ResultRow } from './bench-kit';
import { generateBenchCsv } from './csv-gen';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const SMALL_ROWS = Number(process.env.BENCH_SMALL_ROWS ?? 1_000_000);
const MODE = process.env.BENCH_INGEST_JOB_MODE;

interface Run {
  seconds: number;
  rows: number;
  maxRssMiB: number;
}

const WORKFLOW = `apiVersion: flowforge.io/v1
kind: Job
metadata: { name: bench-load }
spec:
  type: ingest.file
  config:
    connection: bench
    path: bench.csv
    target: { layer: bronze, namespace: bench, table: rows }
    limits: { memoryLimit: 512MB }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: bench-load }
spec:
  steps: [{ id: load, job: bench-load }]
`;

async function duckdbChild(file: string, work: string): Promise<Run> {
  const started = performance.now();
  const db = await openDuckDb({ memoryLimit: '512MB', tempDirectory: path.join(work, 'tmp') });
  const out = path.join(work, 'bare.parquet');
  const r = await db.withSession((s) => s.all(`COPY (SELECT * FROM read_csv('${file}')) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`));
  db.close();
  return { seconds: (performance.now() - started) / 1000, rows: Number(r.rows[0]?.Count ?? 0), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function jobChild(file: string, work: string): Promise<Run> {
  const db = await scratchDatabase('ff_bench_ingest_job');
  const home = path.join(work, 'home');
  await fs.mkdir(home, { recursive: true });
  const logger = createLogger({ service: 'embedded', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const config = loadHostConfig({
    host: 'embedded',
    services: embeddedServices,
    env: {
      DATABASE_URL: db.url,
      FLOWFORGE_HOME: home,
      FLOWFORGE_LOCAL_CONNECTION_ROOTS: path.dirname(file),
      FLOWFORGE_RATE_LIMIT_PER_SECOND: '0',
      ...testAdminEnv,
    },
  });
  const app = await createHostApp({ mode: 'embedded', host: 'embedded', services: embeddedServices, config, logger, databaseUrl: db.url, port: 0 });
  try {
    const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    const auth = bearer(await adminApiToken(base, 'bench'));
    const call = async (method: string, p: string, body?: string, type = 'application/json'): Promise<Record<string, unknown>> => {
      const res = await fetch(`${base}${p}`, { method, headers: { ...auth, ...(body ? { 'content-type': type } : {}) }, body });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    await call('POST', '/api/v1/connections', JSON.stringify({ name: 'bench', type: 'local', config: { path: path.dirname(file) } }));
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      if ((await fetch(`${base}/api/v1/job-types/ingest.file`, { headers: auth })).status === 200) break;
      if (Date.now() > deadline) throw new Error('ingest.file was not announced within 30 s');
    }
    await call('POST', '/api/v1/workflows/apply', WORKFLOW, 'application/yaml');
    const started = performance.now();
    const run = await call('POST', '/api/v1/runs', JSON.stringify({ workflow: 'bench-load', params: {} }));
    let final: { state: string; steps: { stepId: string; outputs: { rowsWritten?: number } | null; errorMessage: string | null }[] };
    for (;;) {
      final = (await call('GET', `/api/v1/runs/${String(run.id)}`)) as typeof final;
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(final.state)) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const step = final.steps.find((s) => s.stepId === 'load');
    if (final.state !== 'succeeded') throw new Error(`the run ended ${final.state}: ${step?.errorMessage ?? ''}`);
    return { seconds, rows: step?.outputs?.rowsWritten ?? 0, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await app.close();
    await db.drop();
  }
}

function runChild(mode: string, file: string, work: string): Run {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'run.js'), __filename], {
    env: { ...process.env, BENCH_INGEST_JOB_MODE: mode, BENCH_FILE: file, BENCH_WORK: work },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-bench-ingest-job-'));
  try {
    const measure = async (rows: number, modes: string[]): Promise<{ mib: number; runs: Record<string, Run> }> => {
      const dir = path.join(work, `data-${rows}`);
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, 'bench.csv');
      await generateBenchCsv(file, rows);
      const mib = (await fs.stat(file)).size / 2 ** 20;
      const runs: Record<string, Run> = {};
      for (const mode of modes) {
        const scratch = path.join(work, `${mode}-${rows}`);
        await fs.mkdir(scratch, { recursive: true });
        runs[mode] = runChild(mode, file, scratch);
        await fs.rm(scratch, { recursive: true, force: true });
      }
      await fs.rm(dir, { recursive: true, force: true });
      return { mib, runs };
    };
    const small = await measure(SMALL_ROWS, ['job']);
    const big = await measure(ROWS, ['duckdb', 'job']);
    const [d, j, s] = [big.runs.duckdb!, big.runs.job!, small.runs.job!];
    const ratio = d.seconds / j.seconds;
    const flat = (j.maxRssMiB - s.maxRssMiB) / s.maxRssMiB;
    const rows: ResultRow[] = [
      [
        'bare DuckDB COPY read_csv → Parquet (baseline)',
        `${d.seconds.toFixed(1)} s (${(big.mib / d.seconds).toFixed(0)} MiB/s), peak RSS ${d.maxRssMiB.toFixed(0)} MiB, ${d.rows} rows`,
        '—',
        '',
      ],
      [
        'ingest.file job, POST /runs → succeeded',
        `${j.seconds.toFixed(1)} s (${(big.mib / j.seconds).toFixed(0)} MiB/s), peak RSS ${j.maxRssMiB.toFixed(0)} MiB, ${j.rows} rows`,
        '—',
        '',
      ],
      ['throughput job / bare DuckDB', ratio.toFixed(2), '≥ 0.8', verdict(ratio >= 0.8)],
      ['peak RSS of the platform process during the job', `${j.maxRssMiB.toFixed(0)} MiB`, '≤ 1024 MiB', verdict(j.maxRssMiB <= 1024)],
      [
        `peak RSS, ${SMALL_ROWS} rows vs ${ROWS} rows`,
        `${s.maxRssMiB.toFixed(0)} vs ${j.maxRssMiB.toFixed(0)} MiB (${(flat * 100).toFixed(0)} %)`,
        'within 20 %',
        verdict(Math.abs(flat) <= 0.2),
      ],
    ];
    writeResults(
      'ingest-job',
      'ingest-job — a CSV to Bronze through the whole ingest.file job vs bare DuckDB (`node bench/run.js bench/ingest-job.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; load average ${os.loadavg()[0]!.toFixed(1)} at the end (a shared machine: compare ratios, not absolute times).`,
        `${ROWS} rows (${big.mib.toFixed(0)} MiB) and ${SMALL_ROWS} rows (${small.mib.toFixed(0)} MiB) of the generated CSV of bench/csv-gen.ts; each measurement in its own child process; DuckDB memory_limit 512MB for both.`,
      ],
      rows,
      [
        'The job runs in the embedded platform: its RSS includes every service (Nest, pools, the bus) besides DuckDB.',
        'The job does more than the baseline: exact types (leading zeros kept), `_rescued_data`, audit columns and record lines, rejects, a copy of the file from its connection, staging in the lake and the commit.',
      ],
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (MODE) {
  const file = process.env.BENCH_FILE!;
  const work = process.env.BENCH_WORK!;
  (MODE === 'duckdb' ? duckdbChild(file, work) : jobChild(file, work))
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
