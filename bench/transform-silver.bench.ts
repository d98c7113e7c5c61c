/**
 * The `transform.silver` compiler against hand-written SQL: `node bench/run.js bench/transform-silver.bench.ts`
 * (BENCH_ROWS fact rows, default 10,000,000; BENCH_RUNS runs of each side, default 3; BENCH_THREADS, default 2).
 *
 * Inputs (generated once, Parquet, zstd): a fact table of orders (order_id as text, ~0.1 % not a number,
 * ~5 % of the ids twice with an older version), customers (BENCH_ROWS / 100) and products (10,000).
 * The job: cast order_id to BIGINT (failures rejected), keep the latest version of each order, join
 * customers and products (left joins), two derived columns (a CASE band and a gross amount), a filter.
 *  (a) baseline: the same logic written by hand as one DuckDB statement over read_parquet (cast and
 *      de-duplication on the fact before the joins, as one would write it);
 *  (b) the compiled job: the inputs registered with registerInputs (views over the same files, as the
 *      runner does), compileTransformSilver's SELECT.
 * Both sides COPY their rows to a Parquet file (zstd) on a fresh DuckDB (same threads and memory limit),
 * alternately; the outputs are checked equal (row count and an order-independent hash).
 * Target (issue "transform.silver"): (b) ≤ 1.2 × (a), the median of the per-pair ratios.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDuckDb, sqlString, type ColumnSchema, type DuckDb } from '@flowforge/engine';
import { compileTransformSilver, registerInputs, tableName, type LakeInput, type TransformSilverConfig } from '@flowforge/transform';
import { verdict, writeResults, type ResultRow } from './bench-kit';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const MEMORY = process.env.BENCH_MEMORY ?? '2GB';
const CUSTOMERS = Math.max(1000, Math.floor(ROWS / 100));
const PRODUCTS = 10_000;
const NOW = new Date('2024-07-01T00:00:00Z');

const CONFIG: TransformSilverConfig = {
  source: 'bronze.bench.orders',
  steps: [
    { op: 'cast', column: 'order_id', type: 'BIGINT', onError: 'reject' },
    { op: 'dedupe', keys: ['order_id'], orderBy: [{ column: 'updated_at', direction: 'desc' }] },
    {
      op: 'join',
      table: 'bronze.bench.customers',
      type: 'left',
      on: [{ left: 'customer_id', right: 'customer_id' }],
      columns: [{ name: 'name', as: 'customer_name' }, { name: 'segment' }],
    },
    {
      op: 'join',
      table: 'bronze.bench.products',
      type: 'left',
      on: [{ left: 'product_id', right: 'product_id' }],
      columns: [{ name: 'title' }, { name: 'price' }],
    },
    { op: 'derive', name: 'band', expression: "CASE WHEN quantity * price >= 500 THEN 'large' WHEN quantity * price >= 100 THEN 'medium' ELSE 'small' END" },
    { op: 'derive', name: 'gross', expression: 'round(quantity * price * 1.2, 2)' },
    {
      op: 'filter',
      condition: {
        and: [
          { column: 'status', op: 'ne', value: 'cancelled' },
          { column: 'updated_at', op: 'last', amount: 365, unit: 'days' },
        ],
      },
    },
    { op: 'drop', columns: ['_ff_run_id'] },
  ],
  target: { namespace: 'bench', table: 'orders' },
  mode: 'replace',
};

/** The same logic by hand: one statement, the cast computed once, cast and dedupe on the fact first, then the joins. */
function handSql(files: Record<string, string>): string {
  return `
    SELECT o.order_id, o.customer_id, o.product_id, o.quantity, o.status, o.updated_at, o._ff_source_line,
           c.name AS customer_name, c.segment, p.title, p.price,
           CASE WHEN o.quantity * p.price >= 500 THEN 'large' WHEN o.quantity * p.price >= 100 THEN 'medium' ELSE 'small' END AS band,
           round(o.quantity * p.price * 1.2, 2) AS gross
    FROM (
      SELECT * EXCLUDE (raw_id)
      FROM (SELECT * REPLACE (TRY_CAST(order_id AS BIGINT) AS order_id), order_id AS raw_id FROM read_parquet(${sqlString(files.orders!)}))
      WHERE order_id IS NOT NULL OR raw_id IS NULL
      QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC NULLS LAST) = 1
    ) o
    LEFT JOIN read_parquet(${sqlString(files.customers!)}) c ON o.customer_id = c.customer_id
    LEFT JOIN read_parquet(${sqlString(files.products!)}) p ON o.product_id = p.product_id
    WHERE o.status <> 'cancelled' AND o.updated_at >= TIMESTAMP '2023-07-02 00:00:00' AND o.updated_at <= TIMESTAMP '2024-07-01 00:00:00'`;
}

async function generate(dir: string): Promise<Record<string, string>> {
  const files = { orders: path.join(dir, 'orders.parquet'), customers: path.join(dir, 'customers.parquet'), products: path.join(dir, 'products.parquet') };
  const db = await openDuckDb({ threads: THREADS, memoryLimit: MEMORY, tempDirectory: path.join(dir, 'tmp') });
  try {
    await db.withSession(async (s) => {
      await s.run(`SELECT setseed(0.42)`);
      // ~5 % of the orders have an older second version; ~0.1 % have an id that is not a number.
      await s.run(
        `COPY (
          WITH base AS (SELECT range AS i FROM range(${ROWS}))
          SELECT CASE WHEN i % 1000 = 7 THEN 'X' || i::VARCHAR ELSE (CASE WHEN i % 20 = 3 THEN i - 1 ELSE i END)::VARCHAR END AS order_id,
                 (i * 7919) % ${CUSTOMERS} AS customer_id,
                 (i * 104729) % ${PRODUCTS} AS product_id,
                 1 + (i % 9)::INTEGER AS quantity,
                 CASE i % 17 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' ELSE 'shipped' END AS status,
                 TIMESTAMP '2023-01-01 00:00:00' + to_seconds((i * 37) % (540 * 86400)) AS updated_at,
                 'run-1' AS _ff_run_id,
                 i AS _ff_source_line
          FROM base
        ) TO ${sqlString(files.orders)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await s.run(
        `COPY (SELECT range AS customer_id, 'customer ' || range AS name, ['retail','pro','vip'][1 + range % 3] AS segment, 'run-0' AS _ff_run_id FROM range(${CUSTOMERS}))
         TO ${sqlString(files.customers)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await s.run(
        `COPY (SELECT range AS product_id, 'product ' || range AS title, round(1 + (range % 500) * 0.37, 2)::DECIMAL(10,2) AS price FROM range(${PRODUCTS}))
         TO ${sqlString(files.products)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    });
  } finally {
    db.close();
  }
  return files;
}

async function schemaOf(db: DuckDb, file: string): Promise<ColumnSchema[]> {
  const r = await db.withSession((s) => s.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`));
  return r.rows.map((c) => ({ name: String(c.column_name), type: String(c.column_type), nullable: true }));
}

interface Timed {
  seconds: number;
  rows: number;
  checksum: string;
}

/** Runs one side on a fresh DuckDB: COPY (query) TO out.parquet; then counts and hashes the output (not timed). */
async function side(kind: 'hand' | 'compiled', files: Record<string, string>, work: string): Promise<Timed> {
  const out = path.join(work, `${kind}.parquet`);
  const db = await openDuckDb({ threads: THREADS, memoryLimit: MEMORY, tempDirectory: path.join(work, 'tmp') });
  try {
    return await db.withSession(async (s) => {
      const started = performance.now();
      let query: string;
      if (kind === 'hand') query = handSql(files);
      else {
        const inputs: LakeInput[] = [];
        for (const t of ['orders', 'customers', 'products'] as const)
          inputs.push({
            ref: { layer: 'bronze', namespace: 'bench', table: t },
            snapshotId: 'bench',
            files: [files[t]!],
            schema: await schemaOf(db, files[t]!),
          });
        await registerInputs(s, inputs);
        const byName = new Map(inputs.map((i) => [tableName(i.ref), i.schema]));
        query = compileTransformSilver(CONFIG, { schemas: (ref) => byName.get(tableName(ref)), now: NOW }).sql;
      }
      await s.run(`COPY (${query}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const seconds = (performance.now() - started) / 1000;
      const check = await s.all(
        `SELECT count(*) AS n, sum(hash(order_id, customer_name, segment, title, price, band, gross, updated_at, status))::VARCHAR AS h FROM read_parquet(${sqlString(out)})`,
      );
      await fs.rm(out, { force: true });
      return { seconds, rows: Number(check.rows[0]!.n), checksum: String(check.rows[0]!.h) };
    });
  } finally {
    db.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-bench-silver-'));
  try {
    const t0 = performance.now();
    const files = await generate(work);
    const genSeconds = (performance.now() - t0) / 1000;
    const mib = (await fs.stat(files.orders)).size / 2 ** 20;
    console.log(`generated ${ROWS} fact rows (${mib.toFixed(0)} MiB) in ${genSeconds.toFixed(1)} s`);
    // Warm-up of each side (file cache, JIT), not measured.
    await side('hand', files, work);
    await side('compiled', files, work);
    const hand: Timed[] = [];
    const compiled: Timed[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Alternate which side goes first, so a drift in machine load hits both alike.
      if (r % 2 === 0) {
        hand.push(await side('hand', files, work));
        compiled.push(await side('compiled', files, work));
      } else {
        compiled.push(await side('compiled', files, work));
        hand.push(await side('hand', files, work));
      }
      console.log(`run ${r + 1}: hand ${hand[r]!.seconds.toFixed(2)} s, compiled ${compiled[r]!.seconds.toFixed(2)} s`);
    }
    const same = hand.every((h, i) => h.rows === compiled[i]!.rows && h.checksum === compiled[i]!.checksum);
    if (!same) throw new Error(`the outputs differ: hand ${JSON.stringify(hand[0])}, compiled ${JSON.stringify(compiled[0])}`);
    const ratios = hand.map((h, i) => compiled[i]!.seconds / h.seconds);
    const ratio = median(ratios);
    const fmt = (xs: Timed[]): string => `${xs.map((x) => x.seconds.toFixed(2)).join(' / ')} s (median ${median(xs.map((x) => x.seconds)).toFixed(2)} s)`;
    const rows: ResultRow[] = [
      ['hand-written single statement (baseline)', fmt(hand), '—', ''],
      ['compiled transform.silver job', fmt(compiled), '—', ''],
      ['rows written (each side, equal outputs)', `${hand[0]!.rows} of ${ROWS} fact rows`, 'equal', verdict(same)],
      [
        'compiled / hand, median of per-run ratios',
        `${ratio.toFixed(2)} (runs: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
        '≤ 1.2',
        verdict(ratio <= 1.2),
      ],
    ];
    writeResults(
      'transform-silver',
      'transform-silver — the compiled silver job vs the same logic written by hand (`node bench/run.js bench/transform-silver.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at the end (a shared machine: compare ratios, not absolute times).`,
        `${ROWS} fact rows (${mib.toFixed(0)} MiB Parquet), ${CUSTOMERS} customers, ${PRODUCTS} products; cast (rejects) + dedupe (latest wins) + 3-table join + 2 derived columns + filter; each side COPY → Parquet zstd on a fresh DuckDB (threads ${THREADS}, memory_limit ${MEMORY}); ${RUNS} alternating runs after one warm-up each.`,
      ],
      rows,
      [
        'Both sides cast and de-duplicate the fact before joining (the compiled job with join steps after the cast and dedupe steps); the run checks that they write the same rows.',
        "Not timed: writing the rejects (the compiled job's rejectsSql), the runner's upload of the files to the lake and their statistics.",
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
