import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { EventBus, Subscription } from '@flowforge/bus';
import { AssetCommitted, type AssetCommittedEvent } from '@flowforge/contracts';
import { attemptPrefix, openDuckDb, writeParquet, type DuckDb, type WrittenTable } from '@flowforge/engine';
import { EVENT_BUS } from '@flowforge/service-kit';
import { LocalObjectStore, type ObjectStore } from '@flowforge/storage';
import { collect } from '@flowforge/storage/testing';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { call, internalHeaders, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { encodeMasterKey, generateMasterKey } from '../secrets/master-key';
import type { CommitResult } from './asset-commit.service';
import type { PreviewView } from './asset-read.service';
import type { RetentionReport } from './asset-retention.service';
import type { AssetView, SchemaVersionView, SnapshotDetailView, SnapshotView } from './asset.views';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

const ref = { layer: 'silver' as const, namespace: 'shop', table: 'orders' };

describe('data assets: commit protocol, preview, download, retention, GC (real PostgreSQL, DuckDB, local lake)', () => {
  let db: TestDatabase;
  let home: string;
  let lake: string;
  let host: CatalogHost;
  let writer: ObjectStore;
  let duck: DuckDb;
  let subscription: Subscription;
  const events: AssetCommittedEvent[] = [];
  const api = <T>(method: string, p: string, body?: unknown) => call<T>(host.base, method, `/internal/catalog${p}`, body);

  /** A writer: DuckDB → Parquet parts staged under the attempt folder, as an executor would. */
  const stage = (sql: string, attempt: string, store: ObjectStore = writer) => writeParquet(store, attemptPrefix(ref, attempt), { sql }, { db: duck });
  const commitOf = (w: WrittenTable, parentSnapshotId: string | null, idempotencyKey: string, extra: Record<string, unknown> = {}) => ({
    ...ref,
    parentSnapshotId,
    files: w.files,
    schema: w.schema,
    stats: w.stats,
    rowCount: w.rowCount,
    runId: 'run-42',
    idempotencyKey,
    ...extra,
  });
  const commit = (body: unknown) => api<CommitResult & Problem>('POST', '/assets/commit', body);
  const csvOf = async (assetId: string, snapshot?: string) => {
    const res = await fetch(`${host.base}/internal/catalog/assets/${assetId}/download?format=csv${snapshot ? `&snapshot=${snapshot}` : ''}`, {
      headers: internalHeaders,
    });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: await res.text() };
  };

  let assetId: string;
  let s1: SnapshotView;
  let s2: SnapshotView;

  beforeAll(async () => {
    db = await createTestDatabase('ff_catasset');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-assets-'));
    lake = path.join(home, 'lake');
    host = await startCatalogHost({
      databaseUrl: db.url,
      env: { FLOWFORGE_MASTER_KEY: encodeMasterKey(generateMasterKey()), FLOWFORGE_LAKE_DIR: lake, FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: '0' },
    });
    writer = new LocalObjectStore({ root: lake });
    duck = await openDuckDb({ memoryLimit: '256MB', threads: 2 });
    subscription = await host.app.get<EventBus>(EVENT_BUS).subscribe(AssetCommitted, { group: 'catalog-asset-test' }, async (e) => {
      events.push(e);
    });
  });

  afterAll(async () => {
    await subscription?.close();
    duck?.close();
    await host?.close();
    fs.rmSync(home, { recursive: true, force: true });
    await db?.drop();
  });

  const waitEvents = async (n: number) => {
    for (let i = 0; i < 100 && events.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    expect(events).toHaveLength(n);
  };

  it('a first commit creates the asset and snapshot 1 and publishes AssetCommitted with it', async () => {
    const w = await stage(`SELECT i AS id, 'item ' || i AS label, (i * 1.5)::DOUBLE AS price FROM range(1, 6) t(i)`, 'att-1');
    const r = await commit(commitOf(w, null, 'run-42/step-1/1'));
    expect(r.status).toBe(201);
    s1 = r.body.snapshot;
    assetId = s1.assetId;
    expect(r.body).toMatchObject({
      created: true,
      snapshot: {
        sequence: 1,
        parentSnapshotId: null,
        operation: 'overwrite',
        rowCount: 5,
        fileCount: 1,
        schemaVersion: 1,
        runId: 'run-42',
        stats: { id: { min: '1', max: '5', nullCount: 0 } },
      },
    });
    const asset = await api<AssetView>('GET', `/assets/${assetId}`);
    expect(asset.body).toMatchObject({ layer: 'silver', namespace: 'shop', table: 'orders', currentSnapshot: { id: s1.id } });
    await waitEvents(1);
    expect(events[0]).toMatchObject({
      assetId,
      layer: 'silver',
      namespace: 'shop',
      table: 'orders',
      snapshotId: s1.id,
      parentSnapshotId: null,
      rowCount: 5,
      runId: 'run-42',
      files: 1,
      producer: 'catalog',
      schemaVersion: 3,
      // A writer that names no source files (not an ingestion) nor lake snapshots: empty lists, the schema's defaults.
      inputs: [],
      sourceSnapshots: [],
    });
  });

  it('previews and downloads the committed snapshot (CSV and Parquet, streamed with the right headers)', async () => {
    const preview = await api<PreviewView>('GET', `/assets/${assetId}/preview?limit=2`);
    expect(preview.body).toEqual({
      assetId,
      snapshotId: s1.id,
      sequence: 1,
      limit: 2,
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'label', type: 'VARCHAR' },
        { name: 'price', type: 'DOUBLE' },
      ],
      rows: [
        { id: '1', label: 'item 1', price: 1.5 },
        { id: '2', label: 'item 2', price: 3 },
      ],
    });
    const csv = await csvOf(assetId);
    expect(csv).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="silver.shop.orders.1.csv"',
      body: 'id,label,price\n1,item 1,1.5\n2,item 2,3.0\n3,item 3,4.5\n4,item 4,6.0\n5,item 5,7.5\n',
    });
    const parquet = await fetch(`${host.base}/internal/catalog/assets/${assetId}/download?format=parquet`, { headers: internalHeaders });
    expect(parquet.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(parquet.headers.get('content-disposition')).toBe('attachment; filename="silver.shop.orders.1.parquet"');
    const file = path.join(home, 'download.parquet');
    fs.writeFileSync(file, Buffer.from(await parquet.arrayBuffer()));
    const back = await duck.withSession((s) => s.all(`SELECT count(*) AS n, sum(id) AS total, max(label) AS last FROM read_parquet('${file}')`));
    expect(back.rows[0]).toEqual({ n: '5', total: '15', last: 'item 5' });
  });

  it('an overwrite with the right parent makes snapshot 2 and records the schema change it introduced', async () => {
    const w = await stage(`SELECT i AS id, 'item ' || i AS label, (i * 2.0)::DOUBLE AS price, i % 2 = 0 AS even FROM range(1, 11) t(i)`, 'att-2');
    const inputs = [
      { connection: 'landing', path: 'in/2024/orders.csv', size: 1234, etag: null },
      { connection: 'landing', path: 'in/2024/more.csv', size: null, etag: '"abc"' },
    ];
    const r = await commit({ ...commitOf(w, s1.id, 'run-43/step-1/1'), inputs });
    expect(r.status).toBe(201);
    s2 = r.body.snapshot;
    expect(s2).toMatchObject({ sequence: 2, parentSnapshotId: s1.id, rowCount: 10, schemaVersion: 2 });
    const history = await api<SchemaVersionView[]>('GET', `/assets/${assetId}/schema-history`);
    expect(history.body.map((v) => ({ version: v.version, by: v.introducedBySnapshotId, changes: v.changes }))).toEqual([
      { version: 1, by: s1.id, changes: { added: ['id', 'label', 'price'], removed: [], changed: [], reordered: false } },
      { version: 2, by: s2.id, changes: { added: ['even'], removed: [], changed: [], reordered: false } },
    ]);
    const snapshots = await api<SnapshotView[]>('GET', `/assets/${assetId}/snapshots`);
    expect(snapshots.body.map((s) => s.sequence)).toEqual([2, 1]);
    const detail = await api<SnapshotDetailView>('GET', `/assets/${assetId}/snapshots/${s2.id}`);
    expect(detail.body.files).toEqual(w.files);
    // Time travel: snapshot 1 stays readable.
    expect((await csvOf(assetId, s1.id)).body.split('\n')).toHaveLength(7);
    await waitEvents(2);
    // The source files the writer names travel with the event (lineage reads them) and stay with the snapshot.
    expect(events[1]).toMatchObject({ snapshotId: s2.id, inputs });
    expect(detail.body).toMatchObject({ inputs, sourceSnapshots: [] });
  });

  it('a snapshot computed from lake snapshots records them, named by the catalog; an unknown one is refused', async () => {
    const gold = { layer: 'silver' as const, namespace: 'reports', table: 'order_totals' };
    const w = await writeParquet(writer, attemptPrefix(gold, 'att-gold-1'), { sql: 'SELECT 10 AS orders' }, { db: duck });
    const body = {
      ...gold,
      parentSnapshotId: null,
      files: w.files,
      schema: w.schema,
      stats: w.stats,
      rowCount: w.rowCount,
      runId: 'run-gold',
      idempotencyKey: 'run-gold/step/1',
      sourceSnapshots: [{ assetId, snapshotId: s2.id }],
    };
    // A snapshot of another asset, or none at all: nothing is committed, the field is named.
    const wrong = await commit({ ...body, sourceSnapshots: [{ assetId, snapshotId: '00000000-0000-4000-8000-000000000000' }] });
    expect(wrong.body).toMatchObject({
      status: 400,
      errors: [{ field: 'sourceSnapshots[0].snapshotId', message: `is not a snapshot of asset ${assetId}` }],
    });
    expect((await commit({ ...body, sourceSnapshots: [{ assetId: 'x', snapshotId: s2.id }] })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'sourceSnapshots[0].assetId' }],
    });
    expect((await api<AssetView[]>('GET', '/assets?namespace=reports')).body).toEqual([]);

    const r = await commit(body);
    expect(r.status).toBe(201);
    const source = { assetId, snapshotId: s2.id, layer: 'silver', namespace: 'shop', table: 'orders' };
    expect(r.body.snapshot.sourceSnapshots).toEqual([source]);
    const detail = await api<SnapshotDetailView>('GET', `/assets/${r.body.snapshot.assetId}/snapshots/${r.body.snapshot.id}`);
    expect(detail.body).toMatchObject({ inputs: [], sourceSnapshots: [source] });
    await waitEvents(3);
    expect(events[2]).toMatchObject({ snapshotId: r.body.snapshot.id, namespace: 'reports', sourceSnapshots: [source] });
    events.splice(2, 1);
  });

  it('a stale parent is refused with 409 FF_ASSET_COMMIT_CONFLICT naming both snapshots', async () => {
    const w = await stage('SELECT 99 AS id', 'att-stale');
    const r = await commit(commitOf(w, s1.id, 'run-44/step-1/1'));
    expect(r.status).toBe(409);
    expect(r.contentType).toContain('application/problem+json');
    expect(r.body).toMatchObject({ code: 'FF_ASSET_COMMIT_CONFLICT' });
    expect(r.body.detail).toContain(`parent snapshot ${s1.id} but the current snapshot is ${s2.id}`);
    const first = await commit({ ...commitOf(w, null, 'run-44/step-1/2') });
    expect(first.body.detail).toContain(`parent snapshot none (a first commit) but the current snapshot is ${s2.id}`);
    expect((await api<AssetView>('GET', `/assets/${assetId}`)).body.currentSnapshot?.id).toBe(s2.id);
  });

  it('two writers racing on the same parent: exactly one wins, the other gets the conflict', async () => {
    const table = { ...ref, table: 'race' };
    const stageRace = (attempt: string) => writeParquet(writer, attemptPrefix(table, attempt), { sql: `SELECT '${attempt}' AS who` }, { db: duck });
    const [a, b] = await Promise.all([stageRace('att-a'), stageRace('att-b')]);
    const body = (w: WrittenTable, key: string) => ({ ...commitOf(w, null, key), table: 'race' });
    const results = await Promise.all([commit(body(a, 'race/a')), commit(body(b, 'race/b'))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body).toMatchObject({ code: 'FF_ASSET_COMMIT_CONFLICT' });
    const winner = results.find((r) => r.status === 201)!.body.snapshot;
    expect((await api<AssetView>('GET', `/assets/${winner.assetId}`)).body.currentSnapshot).toMatchObject({ id: winner.id, sequence: 1 });
    await waitEvents(3);
  });

  it('a repeated idempotency key answers the snapshot already made (200, no new snapshot, no new event)', async () => {
    const detail = (await api<SnapshotDetailView>('GET', `/assets/${assetId}/snapshots/${s2.id}`)).body;
    const replay = await commit({
      ...ref,
      parentSnapshotId: s1.id,
      files: detail.files,
      schema: detail.schema,
      stats: detail.stats,
      rowCount: detail.rowCount,
      runId: 'run-42',
      idempotencyKey: 'run-43/step-1/1',
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ created: false, snapshot: { id: s2.id, sequence: 2 } });
    const other = await stage('SELECT 7 AS id', 'att-other');
    const reused = await commit(commitOf(other, s2.id, 'run-43/step-1/1'));
    expect(reused.body).toMatchObject({ status: 409, code: 'FF_ASSET_IDEMPOTENCY_KEY_REUSED' });
    expect((await api<SnapshotView[]>('GET', `/assets/${assetId}/snapshots`)).body).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toHaveLength(3);
  });

  it('a writer failing after staging some files, or a commit naming a missing file, leaves snapshot 2 served', async () => {
    const failing: ObjectStore = Object.create(writer) as ObjectStore;
    let puts = 0;
    failing.put = async (key, body, o) => {
      if (puts++ >= 1) throw new Error('writer process died (simulated)');
      return writer.put(key, body, o);
    };
    await expect(
      writeParquet(
        failing,
        attemptPrefix(ref, 'att-crash'),
        { sql: 'SELECT i AS id FROM range(0, 50000) t(i)' },
        { db: duck, targetFileBytes: 10_000, rowGroupRows: 5_000 },
      ),
    ).rejects.toThrow(/FF_ENGINE_IO/);
    // A crashed writer cannot clean up: its staged part stays in the lake, invisible.
    await writer.put(`${attemptPrefix(ref, 'att-crash')}part-0.parquet`, Buffer.from('half a parquet file'));

    const missing = await commit({
      ...ref,
      parentSnapshotId: s2.id,
      files: [{ path: `${attemptPrefix(ref, 'att-crash')}part-1.parquet`, rows: 1, bytes: 10 }],
      schema: s2.schema,
      rowCount: 1,
      idempotencyKey: 'crash/1',
    });
    expect(missing.body).toMatchObject({
      status: 400,
      code: 'FF_ASSET_FILE_MISSING',
      errors: [{ field: 'files[0].path', message: expect.stringContaining('is not in the lake') }],
    });
    const wrongSize = await commit({
      ...ref,
      parentSnapshotId: s2.id,
      files: [{ path: `${attemptPrefix(ref, 'att-crash')}part-0.parquet`, rows: 1, bytes: 10 }],
      schema: s2.schema,
      rowCount: 1,
      idempotencyKey: 'crash/2',
    });
    expect(wrongSize.body).toMatchObject({ status: 400, code: 'FF_ASSET_FILE_SIZE_MISMATCH', errors: [{ field: 'files[0].bytes' }] });

    expect((await api<PreviewView>('GET', `/assets/${assetId}/preview`)).body).toMatchObject({
      snapshotId: s2.id,
      rows: expect.arrayContaining([expect.objectContaining({ id: '10' })]),
    });
    expect((await csvOf(assetId)).body.trimEnd().split('\n')).toHaveLength(11);
  });

  it('a commit transaction failing before COMMIT leaves nothing behind; the retry then succeeds', async () => {
    const w = await stage("SELECT i AS id, 'x' AS label, 1.0::DOUBLE AS price, true AS even FROM range(0, 3) t(i)", 'att-txfail');
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      // The publish is the last statement of the commit transaction: make it fail there.
      await pg.query(
        `CREATE FUNCTION ff_bus.ff_test_crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash before COMMIT'; END $$`,
      );
      await pg.query(
        `CREATE TRIGGER ff_test_crash BEFORE INSERT ON ff_bus.log FOR EACH ROW WHEN (NEW.topic = 'flowforge.asset.committed') EXECUTE FUNCTION ff_bus.ff_test_crash()`,
      );
      const failed = await commit(commitOf(w, s2.id, 'run-45/step-1/1'));
      expect(failed.status).toBe(500);
      const counts = await pg.query(
        `SELECT (SELECT count(*) FROM ff_catalog.snapshots WHERE asset_id = $1)::int AS snapshots, (SELECT count(*) FROM ff_catalog.schema_versions WHERE asset_id = $1)::int AS versions,
                (SELECT current_snapshot_id FROM ff_catalog.assets WHERE id = $1) AS current`,
        [assetId],
      );
      expect(counts.rows[0]).toEqual({ snapshots: 2, versions: 2, current: s2.id });
      expect((await api<PreviewView>('GET', `/assets/${assetId}/preview?limit=1`)).body.snapshotId).toBe(s2.id);
      expect((await csvOf(assetId)).body.trimEnd().split('\n')).toHaveLength(11);
    } finally {
      await pg.query('DROP TRIGGER IF EXISTS ff_test_crash ON ff_bus.log');
      await pg.query('DROP FUNCTION IF EXISTS ff_bus.ff_test_crash()');
      await pg.end();
    }
    const retried = await commit(commitOf(w, s2.id, 'run-45/step-1/1'));
    expect(retried.status).toBe(201);
    expect(retried.body.snapshot).toMatchObject({ sequence: 3, parentSnapshotId: s2.id, rowCount: 3 });
    await waitEvents(4);
  });

  it('an append adds files to the current snapshot, sums rows and merges statistics; a changed schema is refused', async () => {
    const current = (await api<AssetView>('GET', `/assets/${assetId}`)).body.currentSnapshot!;
    const w = await stage(`SELECT i AS id, 'y' AS label, 9.5::DOUBLE AS price, false AS even FROM range(100, 104) t(i)`, 'att-append');
    const r = await commit(commitOf(w, current.id, 'run-46/step-1/1', { mode: 'append' }));
    expect(r.status).toBe(201);
    expect(r.body.snapshot).toMatchObject({
      sequence: 4,
      operation: 'append',
      rowCount: 7,
      fileCount: 2,
      schemaVersion: 2,
      stats: { id: { min: '0', max: '103', nullCount: 0 }, price: { min: 1, max: 9.5 } },
    });
    expect((await api<PreviewView>('GET', `/assets/${assetId}/preview`)).body.rows.map((row) => row.id)).toEqual(['0', '1', '2', '100', '101', '102', '103']);
    const bad = await stage('SELECT 1 AS other', 'att-append-bad');
    const refused = await commit(commitOf(bad, r.body.snapshot.id, 'run-47/step-1/1', { mode: 'append' }));
    expect(refused.body).toMatchObject({ status: 409, code: 'FF_ASSET_SCHEMA_MISMATCH', detail: expect.stringContaining('added ["other"]') });
  });

  it('answers bad input with 400 problem+json naming the field', async () => {
    const w = await stage('SELECT 1 AS id', 'att-bad');
    const base = commitOf(w, null, 'bad/1');
    const cases: [unknown, string, { field: string; message?: unknown }[]][] = [
      [{ ...base, layer: 'platinum' }, 'FF_VALIDATION', [{ field: 'layer', message: 'must be one of "bronze", "silver", "gold"' }]],
      [{ ...base, namespace: 'Bad Name' }, 'FF_VALIDATION', [{ field: 'namespace', message: expect.stringContaining('lower-case') }]],
      [{ ...base, layer: undefined }, 'FF_VALIDATION', [{ field: 'layer', message: 'is required unless assetId is given' }]],
      [{ ...base, rowCount: 5 }, 'FF_VALIDATION', [{ field: 'rowCount', message: 'must equal the sum of files[].rows (1)' }]],
      [{ ...base, files: [], rowCount: 0 }, 'FF_VALIDATION', [{ field: 'files', message: expect.stringContaining('at least one file') }]],
      [{ ...base, parentSnapshotId: 'nope' }, 'FF_VALIDATION', [{ field: 'parentSnapshotId', message: 'must be a UUID' }]],
      [{ ...base, stats: { ghost: { min: 1, max: 2, nullCount: 0 } } }, 'FF_VALIDATION', [{ field: 'stats.ghost', message: 'is not a column of schema' }]],
      [
        { ...base, inputs: [{ connection: 'landing', path: '', size: -1, etag: null, extra: 1 }] },
        'FF_VALIDATION',
        [
          { field: 'inputs[0].path', message: 'must be a path' },
          { field: 'inputs[0].size', message: 'must be a non-negative integer (size)' },
          { field: 'inputs[0].extra', message: 'is not a known field' },
        ],
      ],
      [
        { ...base, table: 'customers' },
        'FF_ASSET_FILE_PATH',
        [{ field: 'files[0].path', message: expect.stringContaining('must be a Parquet file under silver/shop/customers/data/<attempt-id>/') }],
      ],
    ];
    for (const [body, code, errors] of cases) {
      const r = await commit(body);
      expect({ body, status: r.status, type: r.contentType, problem: r.body }).toMatchObject({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        problem: { code, errors },
      });
    }
    expect((await api<Problem>('GET', `/assets?layer=platinum`)).body).toMatchObject({ status: 400, errors: [{ field: 'layer' }] });
    expect((await api<Problem>('GET', `/assets/${assetId}/preview?limit=10001`)).body).toMatchObject({
      status: 400,
      errors: [{ field: 'limit', message: 'must be an integer between 1 and 10000' }],
    });
    expect((await api<Problem>('GET', `/assets/${assetId}/download?format=xml`)).body).toMatchObject({
      status: 400,
      errors: [{ field: 'format', message: 'must be one of "csv", "parquet"' }],
    });
    expect((await api<Problem>('GET', `/assets/00000000-0000-4000-8000-000000000000`)).body).toMatchObject({ status: 404, code: 'FF_ASSET_NOT_FOUND' });
    expect((await api<Problem>('GET', `/assets/${assetId}/preview?snapshot=00000000-0000-4000-8000-000000000000`)).body).toMatchObject({
      status: 404,
      code: 'FF_SNAPSHOT_NOT_FOUND',
    });
    expect((await api<AssetView[]>('GET', '/assets?layer=silver&namespace=shop')).body.map((a) => a.table)).toEqual(['orders', 'race']);
    expect((await api<AssetView[]>('GET', '/assets?layer=silver&namespace=shop&table=race')).body.map((a) => a.table)).toEqual(['race']);
    expect((await api<AssetView[]>('GET', '/assets?layer=gold')).body).toEqual([]);
  });

  it('retention keeps the last N snapshots and deletes only files no remaining snapshot lists', async () => {
    const before = (await collect(writer.list('silver/shop/orders/data/'))).map((o) => o.key);
    const snapshots = (await api<SnapshotView[]>('GET', `/assets/${assetId}/snapshots`)).body; // 4, 3, 2, 1
    const details = await Promise.all(snapshots.map(async (s) => (await api<SnapshotDetailView>('GET', `/assets/${assetId}/snapshots/${s.id}`)).body));
    const [s4, s3, oldS2, oldS1] = details;
    expect((await api<AssetView>('PUT', `/assets/${assetId}/retention`, { keepLast: 1 })).body.retention).toEqual({ keepLast: 1, maxAgeSeconds: null });
    const report = await api<RetentionReport>('POST', `/assets/${assetId}/retention/apply`);
    expect(report.body.expiredSnapshotIds.sort()).toEqual([s3!.id, oldS2!.id, oldS1!.id].sort());
    // Snapshot 4 (an append) still lists snapshot 3's file: that file stays; files only 1 and 2 listed go.
    const onlyExpired = [...oldS1!.files, ...oldS2!.files].map((f) => f.path);
    expect(report.body.deletedFiles.sort()).toEqual(onlyExpired.sort());
    const after = new Set((await collect(writer.list('silver/shop/orders/data/'))).map((o) => o.key));
    for (const f of s4!.files) expect(after.has(f.path)).toBe(true);
    for (const p of onlyExpired) expect(after.has(p)).toBe(false);
    expect(before.filter((k) => !after.has(k)).sort()).toEqual(onlyExpired.sort());
    expect((await api<Problem>('GET', `/assets/${assetId}/preview?snapshot=${oldS1!.id}`)).body).toMatchObject({ status: 404, code: 'FF_SNAPSHOT_NOT_FOUND' });
    expect((await api<PreviewView>('GET', `/assets/${assetId}/preview`)).body.rows).toHaveLength(7);
    expect((await api<Problem>('PUT', `/assets/${assetId}/retention`, { keepLast: 0 })).body).toMatchObject({ status: 400, errors: [{ field: 'keepLast' }] });
  });

  it('the lake GC removes uncommitted attempt folders past the grace period, and nothing a snapshot lists', async () => {
    const young = await writer.list('silver/shop/orders/data/att-crash/')[Symbol.asyncIterator]().next();
    expect(young.done).toBe(false);
    const kept = await api<{ deletedAttempts: string[] }>('POST', '/lake/gc', {});
    expect({ status: kept.status, body: kept.body }).toMatchObject({ status: 200, body: { deletedAttempts: [] } }); // default grace: 24 h
    const gc = await api<{ deletedAttempts: string[]; deletedFiles: number }>('POST', '/lake/gc', { graceMinutes: 0 });
    expect(gc.status).toBe(200);
    const live = (await api<AssetView>('GET', `/assets/${assetId}`)).body.currentSnapshot!;
    const liveFiles = (await api<SnapshotDetailView>('GET', `/assets/${assetId}/snapshots/${live.id}`)).body.files.map((f) => f.path);
    const remaining = (await collect(writer.list('silver/shop/orders/'))).map((o) => o.key);
    expect(remaining.sort()).toEqual(liveFiles.sort());
    expect((await collect(writer.list('silver/shop/race/'))).map((o) => o.key)).toHaveLength(1); // the winner's file
    expect(gc.body.deletedAttempts).toEqual(
      expect.arrayContaining(['silver/shop/orders/data/att-crash/', 'silver/shop/orders/data/att-stale/', 'silver/shop/orders/data/att-append-bad/']),
    );
    expect((await api<PreviewView>('GET', `/assets/${assetId}/preview`)).body.rows).toHaveLength(7);
  });

  it('a delete hides the asset (audited), keeps its files, refuses writers building on it, and frees its table name', async () => {
    const live = (await api<AssetView>('GET', `/assets/${assetId}`)).body.currentSnapshot!;
    const files = (await api<SnapshotDetailView>('GET', `/assets/${assetId}/snapshots/${live.id}`)).body.files.map((f) => f.path);
    expect((await api<Problem>('DELETE', '/assets/not-a-uuid')).body).toMatchObject({ status: 400, errors: [{ field: 'id' }] });

    const del = await api('DELETE', `/assets/${assetId}`);
    expect(del.status).toBe(204);
    expect((await api<Problem>('GET', `/assets/${assetId}`)).body).toMatchObject({ status: 404, code: 'FF_ASSET_NOT_FOUND' });
    expect((await api<Problem>('GET', `/assets/${assetId}/preview`)).body).toMatchObject({ status: 404, code: 'FF_ASSET_NOT_FOUND' });
    expect((await api<Problem>('POST', `/assets/${assetId}/retention/apply`)).body).toMatchObject({ status: 404, code: 'FF_ASSET_NOT_FOUND' });
    expect((await api<AssetView[]>('GET', '/assets?layer=silver&namespace=shop')).body.map((a) => a.table)).toEqual(['race']);
    expect((await api<Problem>('DELETE', `/assets/${assetId}`)).body).toMatchObject({ status: 404, code: 'FF_ASSET_NOT_FOUND' });
    // Soft: the data stays in the lake, and the lake GC leaves it alone.
    await api('POST', '/lake/gc', { graceMinutes: 0 });
    const inLake = new Set((await collect(writer.list('silver/shop/orders/'))).map((o) => o.key));
    for (const f of files) expect(inLake.has(f)).toBe(true);
    // Audited in the delete's transaction, with what the asset was.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.audit.recorded'
           AND position(convert_to('asset:delete', 'UTF8') IN payload) > 0 AND position(convert_to($1, 'UTF8') IN payload) > 0`,
        [assetId],
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await pg.end();
    }

    // A writer still building on the deleted asset: by id it is gone, by name its parent is stale.
    const w = await stage(`SELECT 1 AS id`, 'att-after-delete');
    expect((await commit({ ...commitOf(w, live.id, 'after-delete/1'), layer: undefined, namespace: undefined, table: undefined, assetId })).body).toMatchObject(
      {
        status: 404,
        code: 'FF_ASSET_NOT_FOUND',
      },
    );
    expect((await commit(commitOf(w, live.id, 'after-delete/2'))).body).toMatchObject({ status: 409, code: 'FF_ASSET_COMMIT_CONFLICT' });
    // A first commit to the same table makes a new asset with a new id.
    const fresh = await commit(commitOf(w, null, 'after-delete/3'));
    expect(fresh.status).toBe(201);
    expect(fresh.body.snapshot.assetId).not.toBe(assetId);
    expect(fresh.body.snapshot.sequence).toBe(1);
    expect((await api<AssetView[]>('GET', '/assets?layer=silver&namespace=shop')).body.map((a) => [a.table, a.id])).toEqual([
      ['orders', fresh.body.snapshot.assetId],
      ['race', expect.any(String)],
    ]);
  });
});
