import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobConfigValidator, type JobType } from '@flowforge/executor';
import { openDuckDb, sqlString, type ColumnSchema, type DuckDb, type DuckDbSession, type JsonRow, type LakeTableRef } from '@flowforge/engine';
import { registerInputs, tableName, type LakeInput } from '../relations';
import { TransformError } from '../transform.errors';
import { compileGoldScd2, goldScd2Inputs, scd2ColumnNames, type CompiledGoldScd2 } from './scd2.compiler';
import { GOLD_SCD2_CONFIG_SCHEMA, resolveScd2Config, type GoldScd2Config } from './scd2.config';
import { scd2AsOfSql } from './scd2.as-of';

/**
 * What the transformation runner does with a compiled gold.scd2 job, on a real in-memory DuckDB and real
 * Parquet files: register the source snapshot and the dimension's last snapshot, run the guards (the
 * first returning rows fails), write the SELECT to a new Parquet file, which becomes the dimension.
 */
class Lake {
  private readonly tables = new Map<string, { ref: LakeTableRef; schema: ColumnSchema[]; files: string[] }>();
  private n = 0;

  constructor(
    readonly session: DuckDbSession,
    private readonly dir: string,
  ) {}

  /** Writes `select` as the table's only snapshot file. */
  async put(ref: LakeTableRef, select: string): Promise<void> {
    const file = path.join(this.dir, `${tableName(ref)}.${this.n++}.parquet`);
    await this.session.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`);
    const described = await this.session.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
    const schema = described.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== 'NO' }));
    this.tables.set(tableName(ref), { ref, schema, files: [file] });
  }

  schemaOf(ref: LakeTableRef): ColumnSchema[] | undefined {
    return this.tables.get(tableName(ref))?.schema;
  }

  compile(config: GoldScd2Config, now: string): CompiledGoldScd2 {
    return compileGoldScd2(config, { now: new Date(now), schemas: (ref) => this.schemaOf(ref) });
  }

  /** The views of the job's inputs over their snapshot files. */
  async register(job: CompiledGoldScd2): Promise<void> {
    const inputs: LakeInput[] = job.inputs.map((ref) => ({ ...this.tables.get(tableName(ref))!, ref, snapshotId: 's' }));
    await registerInputs(this.session, inputs);
  }

  /** One run: compile, register, guards, write the dimension. Returns the compiled job. */
  async merge(config: GoldScd2Config, now: string): Promise<CompiledGoldScd2> {
    const job = this.compile(config, now);
    await this.register(job);
    for (const guard of job.guards ?? []) {
      const rows = (await this.session.all(guard.sql)).rows;
      if (rows.length > 0) throw new TransformError(guard.code, `${guard.message}: ${JSON.stringify(rows)}`);
    }
    await this.put(job.target, job.sql);
    return job;
  }

  /** The table's snapshot as SQL (`read_parquet('…')`). */
  relation(ref: LakeTableRef): string {
    return `read_parquet(${sqlString(this.tables.get(tableName(ref))!.files[0]!)})`;
  }

  drop(ref: LakeTableRef): void {
    this.tables.delete(tableName(ref));
  }

  async rows(ref: LakeTableRef, order = 'id, version'): Promise<JsonRow[]> {
    return (await this.session.all(`SELECT * FROM ${this.relation(ref)} ORDER BY ${order}`)).rows;
  }
}

const SOURCE: LakeTableRef = { layer: 'silver', namespace: 'crm', table: 'customers' };
const DIM: LakeTableRef = { layer: 'gold', namespace: 'dims', table: 'customers' };
const T1 = '2024-01-01T00:00:00Z';
const T2 = '2024-02-01T00:00:00Z';
const T3 = '2024-03-01T00:00:00Z';
const T4 = '2024-04-01T00:00:00Z';

const base: GoldScd2Config = {
  source: 'silver.crm.customers',
  target: { namespace: 'dims', table: 'customers' },
  key: ['id'],
  strategy: { type: 'check', columns: ['email'] },
};

/** `rows` as a source snapshot: (id INTEGER, email VARCHAR, city VARCHAR). */
const customers = (...rows: [number, string | null, string | null][]): string =>
  `SELECT * FROM (VALUES ${rows.map(([id, e, c]) => `(${id}, ${e === null ? 'NULL' : sqlString(e)}, ${c === null ? 'NULL' : sqlString(c)})`).join(', ')}) AS t(id, email, city)`;
const typed = (select: string): string => `SELECT CAST(id AS INTEGER) AS id, CAST(email AS VARCHAR) AS email, CAST(city AS VARCHAR) AS city FROM (${select})`;

/** The dimension as compact tuples: id, email, city, valid_from, valid_to, is_current, version. */
const compact = (rows: JsonRow[]): unknown[][] =>
  rows.map((r) => [r.id, r.email, r.city, r.valid_from, r.valid_to, r.is_current, r.version, ...('is_deleted' in r ? [r.is_deleted] : [])]);

const thrown = (fn: () => unknown): TransformError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    return err as TransformError;
  }
  throw new Error('did not throw');
};

describe('gold.scd2', () => {
  let db: DuckDb;
  let session: DuckDbSession;
  let dir: string;
  let lake: Lake;

  beforeAll(async () => {
    db = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
    session = await db.connect();
  });
  afterAll(() => {
    session.close();
    db.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ff-scd2-'));
    lake = new Lake(session, dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (...rows: [number, string | null, string | null][]): Promise<void> => lake.put(SOURCE, typed(customers(...rows)));

  it('first load: every source row is version 1, current from now, open-ended', async () => {
    await load([1, 'a@x', 'Oslo'], [2, 'b@x', null]);
    const job = await lake.merge(base, T1);
    expect(job.commit).toEqual({ mode: 'replace', parent: 'absent' });
    expect(job.inputs).toEqual([SOURCE]);
    expect(job.lockKey).toBe('gold.scd2:gold.dims.customers');
    expect(compact(await lake.rows(DIM))).toEqual([
      [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', null, true, 1],
      [2, 'b@x', null, '2024-01-01 00:00:00', null, true, 1],
    ]);
    expect(job.schema?.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id INTEGER',
      'email VARCHAR',
      'city VARCHAR',
      'valid_from TIMESTAMP',
      'valid_to TIMESTAMP',
      'is_current BOOLEAN',
      'version INTEGER',
    ]);
  });

  it('check strategy: a tracked column change closes the version and opens the next; an untracked change does not', async () => {
    await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
    await lake.merge(base, T1);
    await load([1, 'a2@x', 'Oslo'], [2, 'b@x', 'Paris']);
    const job = await lake.merge(base, T2);
    expect(job.commit.parent).toBe('registered-snapshot');
    expect(job.inputs).toEqual([SOURCE, DIM]);
    expect(compact(await lake.rows(DIM))).toEqual([
      [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1],
      [1, 'a2@x', 'Oslo', '2024-02-01 00:00:00', null, true, 2],
      // city is not tracked: the current version stays, with the values it was opened with
      [2, 'b@x', 'Rome', '2024-01-01 00:00:00', null, true, 1],
    ]);
  });

  it("check strategy 'all': a change in any non-key column opens a version", async () => {
    const all: GoldScd2Config = { ...base, strategy: { type: 'check', columns: 'all' } };
    await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
    await lake.merge(all, T1);
    await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Paris']);
    await lake.merge(all, T2);
    expect(compact(await lake.rows(DIM))).toEqual([
      [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', null, true, 1],
      [2, 'b@x', 'Rome', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1],
      [2, 'b@x', 'Paris', '2024-02-01 00:00:00', null, true, 2],
    ]);
  });

  it('NULLs in tracked columns: NULL→value and value→NULL are changes, NULL→NULL is not', async () => {
    const all: GoldScd2Config = { ...base, strategy: { type: 'check', columns: 'all' } };
    await load([1, null, 'Oslo'], [2, 'b@x', 'Rome'], [3, null, null]);
    await lake.merge(all, T1);
    await load([1, 'a@x', 'Oslo'], [2, null, 'Rome'], [3, null, null]);
    await lake.merge(all, T2);
    expect(compact(await lake.rows(DIM))).toEqual([
      [1, null, 'Oslo', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1],
      [1, 'a@x', 'Oslo', '2024-02-01 00:00:00', null, true, 2],
      [2, 'b@x', 'Rome', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1],
      [2, null, 'Rome', '2024-02-01 00:00:00', null, true, 2],
      [3, null, null, '2024-01-01 00:00:00', null, true, 1],
    ]);
  });

  describe('timestamp strategy', () => {
    const byTime: GoldScd2Config = { ...base, strategy: { type: 'timestamp', updatedAt: 'updated_at' } };
    const put = (...rows: [number, string, string][]): Promise<void> =>
      lake.put(
        SOURCE,
        `SELECT CAST(id AS INTEGER) AS id, email, CAST(u AS TIMESTAMPTZ) AS updated_at FROM (VALUES ${rows.map(([i, e, u]) => `(${i}, '${e}', '${u}')`).join(', ')}) AS t(id, email, u)`,
      );

    it("a later updatedAt opens a version valid from it (dbt's semantics); the same or an earlier one does not", async () => {
      await put([1, 'a@x', '2023-12-31 10:00:00+00'], [2, 'b@x', '2023-12-31 11:00:00+00'], [3, 'c@x', '2023-12-31 12:00:00+00']);
      await lake.merge(byTime, T1);
      // 1: later updatedAt (given at +02:00: stored in UTC); 2: changed data, same updatedAt; 3: earlier updatedAt
      await put([1, 'a2@x', '2024-01-15 12:00:00+02'], [2, 'b2@x', '2023-12-31 11:00:00+00'], [3, 'c2@x', '2023-12-30 00:00:00+00']);
      await lake.merge(byTime, T2);
      const rows = (await lake.rows(DIM)).map((r) => [r.id, r.email, r.valid_from, r.valid_to, r.is_current, r.version]);
      expect(rows).toEqual([
        [1, 'a@x', '2023-12-31 10:00:00', '2024-01-15 10:00:00', false, 1],
        [1, 'a2@x', '2024-01-15 10:00:00', null, true, 2],
        [2, 'b@x', '2023-12-31 11:00:00', null, true, 1],
        [3, 'c@x', '2023-12-31 12:00:00', null, true, 1],
      ]);
    });

    it('a key back with an old updatedAt reopens no earlier than it was closed: versions never overlap', async () => {
      const cfg: GoldScd2Config = { ...byTime, hardDeletes: 'invalidate' };
      await put([1, 'a@x', '2023-12-31 10:00:00+00'], [2, 'b@x', '2023-12-31 10:00:00+00']);
      await lake.merge(cfg, T1);
      await put([1, 'a@x', '2023-12-31 10:00:00+00']);
      await lake.merge(cfg, T2); // 2 gone: closed at the run's time
      await put([1, 'a@x', '2023-12-31 10:00:00+00'], [2, 'b@x', '2024-01-10 00:00:00+00']);
      await lake.merge(cfg, T3); // 2 back with an updatedAt before it was closed
      expect((await lake.rows(DIM)).filter((r) => r.id === 2).map((r) => [r.version, r.valid_from, r.valid_to, r.is_current])).toEqual([
        [1, '2023-12-31 10:00:00', '2024-02-01 00:00:00', false],
        [2, '2024-02-01 00:00:00', null, true],
      ]);
    });

    it("validFrom 'now': versions are valid from the run's time", async () => {
      const cfg: GoldScd2Config = { ...base, strategy: { type: 'timestamp', updatedAt: 'updated_at', validFrom: 'now' } };
      await put([1, 'a@x', '2023-12-31 10:00:00+00']);
      await lake.merge(cfg, T1);
      await put([1, 'a2@x', '2024-01-15 10:00:00+00']);
      await lake.merge(cfg, T2);
      expect((await lake.rows(DIM)).map((r) => [r.version, r.valid_from, r.valid_to])).toEqual([
        [1, '2024-01-01 00:00:00', '2024-02-01 00:00:00'],
        [2, '2024-02-01 00:00:00', null],
      ]);
    });

    it('a NULL updatedAt fails the run (guard), listing the keys', async () => {
      await lake.put(SOURCE, `SELECT 1 AS id, 'a' AS email, CAST(NULL AS TIMESTAMP) AS updated_at`);
      const err = await lake.merge(byTime, T1).then(
        () => new TransformError('FF_TRANSFORM_CONFIG', 'no failure'),
        (e: unknown) => e as TransformError,
      );
      expect(err).toBeInstanceOf(TransformError);
      expect(err.code).toBe('FF_TRANSFORM_NULLS');
      expect(err.message).toContain('updated_at (strategy.updatedAt) is NULL');
      expect(err.message).toContain('[{"id":1}]');
    });

    it('refuses an updatedAt that is not a date or timestamp, naming the field', async () => {
      await lake.put(SOURCE, `SELECT 1 AS id, 'a' AS email, 'yesterday' AS updated_at`);
      const err = thrown(() => lake.compile(byTime, T1));
      expect(err.code).toBe('FF_TRANSFORM_CONFIG');
      expect(err.problems).toEqual([{ field: 'strategy.updatedAt', message: '"updated_at" is VARCHAR: it must be a DATE or TIMESTAMP column' }]);
    });
  });

  describe('hard deletes', () => {
    it('ignore: a key gone from the source stays current; back unchanged, nothing happens', async () => {
      const cfg: GoldScd2Config = { ...base, hardDeletes: 'ignore' };
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(cfg, T1);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(cfg, T2);
      const afterDelete = compact(await lake.rows(DIM));
      expect(afterDelete).toEqual([
        [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', null, true, 1],
        [2, 'b@x', 'Rome', '2024-01-01 00:00:00', null, true, 1],
      ]);
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(cfg, T3);
      expect(compact(await lake.rows(DIM))).toEqual(afterDelete);
    });

    it('invalidate: a gone key is closed; when it comes back it is reopened with the next version', async () => {
      const cfg: GoldScd2Config = { ...base, hardDeletes: 'invalidate' };
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(cfg, T1);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(cfg, T2);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(cfg, T3); // still gone: nothing more
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(cfg, T4);
      expect(compact(await lake.rows(DIM))).toEqual([
        [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', null, true, 1],
        [2, 'b@x', 'Rome', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1],
        [2, 'b@x', 'Rome', '2024-04-01 00:00:00', null, true, 2],
      ]);
    });

    it('new_record: a gone key is closed and a current "deleted" version opens; back, that one is closed and the key reopened', async () => {
      const cfg: GoldScd2Config = { ...base, hardDeletes: 'new_record' };
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(cfg, T1);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(cfg, T2);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(cfg, T3); // still gone: the deleted version stays current
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Milan']);
      await lake.merge(cfg, T4);
      expect(compact(await lake.rows(DIM))).toEqual([
        [1, 'a@x', 'Oslo', '2024-01-01 00:00:00', null, true, 1, false],
        [2, 'b@x', 'Rome', '2024-01-01 00:00:00', '2024-02-01 00:00:00', false, 1, false],
        [2, 'b@x', 'Rome', '2024-02-01 00:00:00', '2024-04-01 00:00:00', false, 2, true],
        [2, 'b@x', 'Milan', '2024-04-01 00:00:00', null, true, 3, false],
      ]);
    });

    it('switching an existing dimension to new_record adds is_deleted (false in its history)', async () => {
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge({ ...base, hardDeletes: 'invalidate' }, T1);
      await load([1, 'a@x', 'Oslo']);
      await lake.merge({ ...base, hardDeletes: 'new_record' }, T2);
      expect((await lake.rows(DIM)).map((r) => [r.id, r.version, r.is_current, r.is_deleted])).toEqual([
        [1, 1, true, false],
        [2, 1, false, false],
        [2, 2, true, true],
      ]);
      // and back again is refused: the deleted versions would stay current
      const err = thrown(() => lake.compile({ ...base, hardDeletes: 'invalidate' }, T3));
      expect(err.problems.map((p) => p.field)).toEqual(['hardDeletes']);
    });
  });

  describe('guards', () => {
    it('a duplicated natural key fails the run listing the offending keys (most duplicated first)', async () => {
      await load([1, 'a', null], [2, 'b', null], [2, 'c', null], [3, 'd', null], [3, 'e', null], [3, 'f', null]);
      const err = await lake.merge(base, T1).then(
        () => new TransformError('FF_TRANSFORM_CONFIG', 'no failure'),
        (e: unknown) => e as TransformError,
      );
      expect(err.code).toBe('FF_TRANSFORM_DUPLICATE_KEY');
      expect(err.message).toContain('the natural key (id) is not unique in silver.crm.customers');
      expect(err.message).toContain('[{"id":3,"occurrences":"3"},{"id":2,"occurrences":"2"}]');
      expect(lake.schemaOf(DIM)).toBeUndefined(); // nothing written
    });

    it('lists at most 20 keys, and composite keys in full', async () => {
      await lake.put(SOURCE, `SELECT i % 30 AS a, 'x' AS b, i AS v FROM range(100) t(i)`);
      const job = lake.compile({ ...base, key: ['a', 'b'], strategy: { type: 'check', columns: 'all' } }, T1);
      await lake.register(job);
      const dup = job.guards!.find((g) => g.code === 'FF_TRANSFORM_DUPLICATE_KEY')!;
      const rows = (await session.all(dup.sql)).rows;
      expect(rows).toHaveLength(20);
      expect(Object.keys(rows[0]!)).toEqual(['a', 'b', 'occurrences']);
      expect(rows[0]).toEqual({ a: '0', b: 'x', occurrences: '4' });
    });

    it('a NULL natural key fails the run', async () => {
      await lake.put(SOURCE, typed(customers([1, 'a', null], [2, 'b', null])).replace('CAST(id AS INTEGER)', 'CAST(NULLIF(id, 2) AS INTEGER)'));
      const err = await lake.merge(base, T1).then(
        () => new TransformError('FF_TRANSFORM_CONFIG', 'no failure'),
        (e: unknown) => e as TransformError,
      );
      expect(err.code).toBe('FF_TRANSFORM_NULLS');
      expect(err.message).toContain('the natural key (id) is NULL');
    });
  });

  it('idempotent: the same batch merged twice leaves the dimension identical, in every mode', async () => {
    for (const hardDeletes of ['ignore', 'invalidate', 'new_record'] as const) {
      const strategies: GoldScd2Config['strategy'][] = [
        { type: 'check', columns: 'all' },
        { type: 'check', columns: ['email'] },
      ];
      for (const strategy of strategies) {
        const cfg: GoldScd2Config = { ...base, strategy, hardDeletes };
        await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome'], [3, null, null]);
        await lake.merge(cfg, T1);
        await load([1, 'a2@x', 'Oslo'], [3, 'c@x', null], [4, 'd@x', 'Bern']);
        await lake.merge(cfg, T2);
        const once = await lake.rows(DIM);
        await lake.merge(cfg, T3);
        expect(await lake.rows(DIM)).toEqual(once);
        lake.drop(DIM); // a fresh dimension per combination
      }
    }
  });

  it('composite keys join on every part', async () => {
    const cfg: GoldScd2Config = { ...base, key: ['id', 'city'], strategy: { type: 'check', columns: 'all' }, hardDeletes: 'invalidate' };
    await load([1, 'a', 'Oslo'], [1, 'b', 'Rome']);
    await lake.merge(cfg, T1);
    await load([1, 'a', 'Oslo'], [1, 'c', 'Rome'], [2, 'd', 'Oslo']);
    await lake.merge(cfg, T2);
    expect((await lake.rows(DIM, 'id, city, version')).map((r) => [r.id, r.city, r.email, r.version, r.is_current])).toEqual([
      [1, 'Oslo', 'a', 1, true],
      [1, 'Rome', 'b', 1, false],
      [1, 'Rome', 'c', 2, true],
      [2, 'Oslo', 'd', 1, true],
    ]);
  });

  it('as-of: the version valid at each instant (valid_to exclusive), deleted versions left out', async () => {
    const cfg: GoldScd2Config = { ...base, hardDeletes: 'new_record', farFuture: '9999-12-31T00:00:00Z' };
    await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
    await lake.merge(cfg, T1);
    await load([1, 'a2@x', 'Oslo']);
    await lake.merge(cfg, T2);
    await load([1, 'a2@x', 'Oslo'], [2, 'b@x', 'Rome']);
    await lake.merge(cfg, T3);
    const dim = lake.relation(DIM);
    const asOf = async (ts: string | Date, includeDeleted = false): Promise<unknown[][]> => {
      const q = scd2AsOfSql(dim, scd2ColumnNames(cfg), ts, { includeDeleted });
      expect(q.sql).not.toContain(String(ts));
      return (await session.all(`${q.sql} ORDER BY id`, q.params)).rows.map((r) => [r.id, r.email, r.version]);
    };
    expect(await asOf('2023-12-31T23:59:59Z')).toEqual([]);
    expect(await asOf(T1)).toEqual([
      [1, 'a@x', 1],
      [2, 'b@x', 1],
    ]);
    expect(await asOf('2024-01-31T23:59:59.999Z')).toEqual([
      [1, 'a@x', 1],
      [2, 'b@x', 1],
    ]);
    expect(await asOf(new Date(T2))).toEqual([[1, 'a2@x', 2]]);
    expect(await asOf('2024-02-15 01:00:00+01:00', true)).toEqual([
      [1, 'a2@x', 2],
      [2, 'b@x', 2],
    ]);
    expect(await asOf('2030-01-01')).toEqual([
      [1, 'a2@x', 2],
      [2, 'b@x', 3],
    ]);
    const current = (await lake.rows(DIM)).filter((r) => r.is_current);
    expect(current.map((r) => r.valid_to)).toEqual(['9999-12-31 00:00:00', '9999-12-31 00:00:00']);
    for (const bad of ['yesterday', '2024-02-30', "2024-01-01'; DROP TABLE x; --", new Date(NaN)]) {
      expect(thrown(() => scd2AsOfSql(dim, scd2ColumnNames(cfg), bad)).problems.map((p) => p.field)).toEqual(['ts']);
    }
  });

  describe('schema evolution', () => {
    it('a new source column is added (NULL in history) and tracked from then on by "all"; a dropped one stays, NULL in new versions', async () => {
      const all: GoldScd2Config = { ...base, strategy: { type: 'check', columns: 'all' } };
      await load([1, 'a@x', 'Oslo'], [2, 'b@x', 'Rome']);
      await lake.merge(all, T1);
      // city dropped, tier added; id 1's email changes, id 2 gets a tier (NULL before: a change), 3 is new
      await lake.put(
        SOURCE,
        `SELECT * FROM (VALUES (1, 'a2@x', NULL), (2, 'b@x', 'gold'), (3, 'c@x', NULL)) AS t(id, email, tier)`.replace(
          'SELECT *',
          'SELECT CAST(id AS INTEGER) AS id, email, tier',
        ),
      );
      await lake.merge(all, T2);
      const rows = (await lake.rows(DIM)).map((r) => [r.id, r.email, r.city, r.tier, r.version, r.is_current]);
      expect(rows).toEqual([
        [1, 'a@x', 'Oslo', null, 1, false],
        [1, 'a2@x', null, null, 2, true],
        [2, 'b@x', 'Rome', null, 1, false],
        [2, 'b@x', null, 'gold', 2, true],
        [3, 'c@x', null, null, 1, true],
      ]);
      expect(lake.schemaOf(DIM)!.map((c) => c.name)).toEqual(['id', 'email', 'city', 'tier', 'valid_from', 'valid_to', 'is_current', 'version']);
    });

    it('a widened column type is merged (history cast up); a narrowed or changed one is refused naming the column', async () => {
      await load([1, 'a@x', 'Oslo']);
      await lake.merge(base, T1);
      await lake.put(SOURCE, `SELECT CAST(1 AS BIGINT) AS id, 'a2@x' AS email, 'Oslo' AS city`);
      await lake.merge(base, T2);
      expect(lake.schemaOf(DIM)!.find((c) => c.name === 'id')!.type).toBe('BIGINT');
      expect((await lake.rows(DIM)).map((r) => [r.id, r.version])).toEqual([
        ['1', 1],
        ['1', 2],
      ]);
      await lake.put(SOURCE, `SELECT 'one' AS id, 'a2@x' AS email, 'Oslo' AS city`);
      const err = thrown(() => lake.compile(base, T3));
      expect(err.code).toBe('FF_TRANSFORM_CONFIG');
      expect(err.problems).toEqual([{ field: 'source', message: expect.stringContaining('column "id" is BIGINT in gold.dims.customers but VARCHAR') }]);
    });
  });

  describe('bad configs', () => {
    const fields = (config: unknown): string[] => thrown(() => resolveScd2Config(config)).problems.map((p) => p.field);

    it('names each bad field of the schema', () => {
      expect(fields({})).toEqual(['source', 'target', 'key', 'strategy']);
      expect(fields({ ...base, source: 'crm.customers' })).toEqual(['source']);
      expect(fields({ ...base, key: [] })).toEqual(['key']);
      expect(fields({ ...base, key: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] })).toEqual(['key']);
      expect(fields({ ...base, key: ['a\u0000'] })).toEqual(['key[0]']);
      expect(fields({ ...base, target: { namespace: 'Dims', table: 'c' } })).toEqual(['target.namespace']);
      expect(fields({ ...base, target: { layer: 'silver', namespace: 'd', table: 'c' } })).toEqual(['target.layer']);
      expect(fields({ ...base, strategy: { type: 'timestamp' } })).toEqual(['strategy.updatedAt']);
      expect(fields({ ...base, strategy: { type: 'check', columns: [] } })).toEqual(['strategy.columns']);
      expect(fields({ ...base, strategy: { type: 'check', columns: 'some' } })).toEqual(['strategy.columns']);
      expect(fields({ ...base, strategy: { type: 'scd1' } })).toEqual(['strategy.type']);
      expect(fields({ ...base, hardDeletes: 'purge' })).toEqual(['hardDeletes']);
      expect(fields({ ...base, columns: { validFrom: 'valid from' } })).toEqual(['columns.validFrom']);
      expect(fields({ ...base, farFuture: 'never' })).toEqual(['farFuture']);
      expect(fields({ ...base, extra: 1 })).toEqual(['extra']);
    });

    it('refuses what the schema cannot say: metadata names alike, a key column tracked, an impossible far-future date', () => {
      expect(fields({ ...base, columns: { validFrom: 'v', validTo: 'V' } })).toEqual(['columns.validTo']);
      expect(fields({ ...base, strategy: { type: 'check', columns: ['email', 'id'] } })).toEqual(['strategy.columns[1]']);
      expect(fields({ ...base, strategy: { type: 'timestamp', updatedAt: 'id' } })).toEqual(['strategy.updatedAt']);
      expect(fields({ ...base, farFuture: '9999-02-30' })).toEqual(['farFuture']);
    });

    it('fills in the defaults', () => {
      expect(resolveScd2Config(base)).toEqual({
        ...base,
        hardDeletes: 'ignore',
        columns: { validFrom: 'valid_from', validTo: 'valid_to', isCurrent: 'is_current', version: 'version' },
        farFuture: null,
      });
      expect(resolveScd2Config({ ...base, hardDeletes: 'new_record', farFuture: '9999-12-31T23:59:59.999999+01:00' })).toMatchObject({
        columns: { isDeleted: 'is_deleted' },
        farFuture: '9999-12-31 22:59:59.999999',
      });
      expect(goldScd2Inputs(base)).toEqual([SOURCE, DIM]);
    });

    it('against the tables: unknown columns, metadata names taken, a missing source, a target that is not a dimension', async () => {
      await load([1, 'a@x', 'Oslo']);
      let err = thrown(() => lake.compile({ ...base, key: ['nope'], strategy: { type: 'check', columns: ['mail'] } }, T1));
      expect(err.code).toBe('FF_TRANSFORM_UNKNOWN_COLUMN');
      expect(err.problems.map((p) => p.field)).toEqual(['key[0]', 'strategy.columns[0]']);
      err = thrown(() => lake.compile({ ...base, columns: { version: 'city' } }, T1));
      expect(err.code).toBe('FF_TRANSFORM_NAME_COLLISION');
      expect(err.problems.map((p) => p.field)).toEqual(['columns.version']);
      err = thrown(() => lake.compile({ ...base, source: 'silver.crm.nothing' }, T1));
      expect(err.code).toBe('FF_TRANSFORM_UNKNOWN_TABLE');
      err = thrown(() => lake.compile({ ...base, source: 'gold.dims.customers' }, T1));
      expect(err.problems.map((p) => p.field)).toEqual(['target']);
      await lake.put(DIM, `SELECT 1 AS id, 'x' AS email`);
      err = thrown(() => lake.compile(base, T1));
      expect(err.problems).toEqual([{ field: 'target', message: expect.stringContaining('has no "valid_from" (columns.validFrom)') }]);
      err = thrown(() => compileGoldScd2(base, { now: new Date('nope'), schemas: (r) => lake.schemaOf(r) }));
      expect(err.problems.map((p) => p.field)).toEqual(['now']);
    });

    it('the executor kit compiles the schema (strict) and fills in the same defaults', () => {
      const jobType: JobType<GoldScd2Config> = {
        type: 'gold.scd2',
        version: 1,
        configSchema: GOLD_SCD2_CONFIG_SCHEMA,
        execute: () => Promise.reject(new Error('not run here')),
      };
      const parsed = new JobConfigValidator([jobType]).parse(jobType, JSON.stringify(base));
      expect(parsed).toEqual({ ...base, target: { ...base.target, layer: 'gold' }, hardDeletes: 'ignore', farFuture: null });
    });

    it('the schema bounds every string and array and describes every property', () => {
      const walk = (node: unknown, at: string): string[] => {
        if (!node || typeof node !== 'object') return [];
        const n = node as Record<string, unknown>;
        const out: string[] = [];
        if (n.type === 'string' && n.maxLength === undefined) out.push(`${at}: unbounded string`);
        if (n.type === 'array' && n.maxItems === undefined) out.push(`${at}: unbounded array`);
        for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
          if (!(v as { description?: string }).description) out.push(`${at}.${k}: no description`);
          out.push(...walk(v, `${at}.${k}`));
        }
        for (const k of ['items', 'oneOf'] as const) {
          const v = n[k];
          if (Array.isArray(v)) v.forEach((x, i) => out.push(...walk(x, `${at}.${k}[${i}]`)));
          else out.push(...walk(v, `${at}.${k}`));
        }
        return out;
      };
      expect(walk(GOLD_SCD2_CONFIG_SCHEMA, '')).toEqual([]);
    });
  });

  it('the valid_to of current versions follows the farFuture of the config', async () => {
    await load([1, 'a@x', 'Oslo']);
    await lake.merge(base, T1);
    await lake.merge({ ...base, farFuture: '9999-12-31' }, T2);
    expect(compact(await lake.rows(DIM))).toEqual([[1, 'a@x', 'Oslo', '2024-01-01 00:00:00', '9999-12-31 00:00:00', true, 1]]);
  });
});
