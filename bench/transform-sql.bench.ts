/**
 * The custom-SQL sandbox's cost: `node bench/run.js bench/transform-sql.bench.ts` (BENCH_ROWS, default 2,000,000).
 * One generated Parquet table (silver.sales.orders), two queries, each run two ways in the same process,
 * interleaved round by round so both see the same machine load:
 *  (a) baseline: a plain DuckDB (same threads and memory limit) with the same views (registerInputs),
 *      the statement run directly with `$1` bound;
 *  (b) the sandbox (libs/transform/src/sql): openSandbox once, then `query` / `copyTo`, each doing every
 *      check (parameters, extractStatements, json_serialize_sql + allowlist, prepare) before running.
 * Queries: an aggregate with a `:since` parameter (read), and a filtered projection of every row written to
 * Parquet (write). Target (ours; the issue gives none): (b) ≤ 1.1× (a) at the median of the rounds
 * (BENCH_ROUNDS, default 7).
 * Also the sandbox's fixed costs: opening (instance, views, lock) and `validate` alone.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDuckDb } from '@flowforge/engine';
import { openSandbox, registerInputs, type LakeInput } from '@flowforge/transform';
import { verdict, writeResults, type ResultRow } from './bench-kit';

const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const THREADS = 2;
const MEMORY = '512MB';

const READ = `SELECT region, count(*) AS n, sum(amount) AS total FROM silver.sales.orders WHERE ts >= :since GROUP BY region ORDER BY region`;
const WRITE = `SELECT id, amount * 1.2 AS gross, region FROM silver.sales.orders WHERE ts >= :since`;
const ARGS = { params: { since: { type: 'timestamp' as const } }, values: { since: '2024-03-01 00:00:00' } };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-bench-sql-'));
  try {
    const file = path.join(work, 'orders.parquet');
    const gen = await openDuckDb({ threads: THREADS, memoryLimit: MEMORY });
    await gen.withSession((s) =>
      s.run(
        `COPY (SELECT i AS id, (i % 1000) * 1.25 AS amount, TIMESTAMP '2024-01-01' + INTERVAL (i % 200) DAY AS ts, ['EU','US','APAC','LATAM'][i % 4 + 1] AS region FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`,
      ),
    );
    gen.close();
    const inputs: LakeInput[] = [{ ref: { layer: 'silver', namespace: 'sales', table: 'orders' }, snapshotId: 'bench', schema: [], files: [file] }];

    const base = await openDuckDb({ threads: THREADS, memoryLimit: MEMORY });
    const session = await base.connect();
    await registerInputs(session, inputs);
    const outDir = path.join(work, 'out');
    await fs.mkdir(outDir);
    const opens: number[] = [];
    let sandbox = await openSandbox({ inputs, threads: THREADS, memoryLimit: MEMORY, timeoutMs: 600_000, outputDir: outDir });
    sandbox.close();
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      sandbox = await openSandbox({ inputs, threads: THREADS, memoryLimit: MEMORY, timeoutMs: 600_000, outputDir: outDir });
      opens.push(performance.now() - t0);
      if (i < 4) sandbox.close();
    }

    const baseRead = READ.replace(':since', 'CAST($1 AS TIMESTAMP)');
    const baseWrite = WRITE.replace(':since', 'CAST($1 AS TIMESTAMP)');
    const baseFile = path.join(work, 'base.parquet');
    const figures = { readBase: [] as number[], readSandbox: [] as number[], writeBase: [] as number[], writeSandbox: [] as number[] };
    let check = { base: '', sandbox: '' };
    let written = { base: 0, sandbox: 0 };
    // One warm-up of each, then interleaved rounds.
    for (let round = 0; round <= ROUNDS; round++) {
      const rb = await time(async () => (check.base = JSON.stringify((await session.all(baseRead, [ARGS.values.since])).rows)));
      const rs = await time(async () => (check.sandbox = JSON.stringify((await sandbox.query(READ, ARGS)).rows)));
      const wb = await time(async () => {
        const r = await session.all(`COPY (${baseWrite}) TO '${baseFile}' (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)`, [ARGS.values.since]);
        written.base = Number(r.rows[0]?.Count ?? 0);
      });
      const ws = await time(async () => (written.sandbox = (await sandbox.copyTo(WRITE, ARGS)).rows));
      await fs.rm(path.join(outDir, 'part-0.parquet'), { force: true });
      await fs.rm(baseFile, { force: true });
      if (round === 0) continue;
      figures.readBase.push(rb);
      figures.readSandbox.push(rs);
      figures.writeBase.push(wb);
      figures.writeSandbox.push(ws);
    }
    if (check.base !== check.sandbox || written.base !== written.sandbox) throw new Error(`results differ: ${JSON.stringify({ check, written })}`);
    const validations: number[] = [];
    for (let i = 0; i < 50; i++) validations.push(await time(() => sandbox.validate(READ, ARGS)));
    sandbox.close();
    session.close();
    base.close();

    const m = {
      readBase: median(figures.readBase),
      readSandbox: median(figures.readSandbox),
      writeBase: median(figures.writeBase),
      writeSandbox: median(figures.writeSandbox),
    };
    const readRatio = m.readSandbox / m.readBase;
    const writeRatio = m.writeSandbox / m.writeBase;
    const f = (v: number) => `${v.toFixed(1)} ms`;
    const rows: ResultRow[] = [
      [`read: aggregate with :since, baseline / sandbox (median of ${ROUNDS})`, `${f(m.readBase)} / ${f(m.readSandbox)}`, '—', ''],
      ['read: ratio sandbox / baseline', readRatio.toFixed(2), '≤ 1.1', verdict(readRatio <= 1.1)],
      [`write: ${written.base} rows to Parquet, baseline / sandbox (median of ${ROUNDS})`, `${f(m.writeBase)} / ${f(m.writeSandbox)}`, '—', ''],
      ['write: ratio sandbox / baseline', writeRatio.toFixed(2), '≤ 1.1', verdict(writeRatio <= 1.1)],
      ['openSandbox (instance, views, lock), median of 5', f(median(opens)), '—', ''],
      ['validate alone (all checks, no run), median of 50', f(median(validations)), '—', ''],
    ];
    writeResults(
      'transform-sql',
      'transform-sql — the custom-SQL sandbox against plain DuckDB (`node bench/run.js bench/transform-sql.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; load average ${os.loadavg()[0]!.toFixed(1)} at the end (a shared machine: compare ratios, not absolute times).`,
        `${ROWS} rows of silver.sales.orders in one zstd Parquet file; DuckDB threads ${THREADS}, memory_limit ${MEMORY} on both sides; rounds interleaved (baseline then sandbox), one warm-up round dropped.`,
      ],
      rows,
      [
        'Baseline: a plain DuckDB session with the same views, the statement run with `$1` bound. Sandbox: `query` / `copyTo` of libs/transform/src/sql/sql-sandbox.ts, which parse, check and prepare before running. Results compared equal.',
      ],
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
