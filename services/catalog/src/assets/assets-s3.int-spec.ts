import { attemptPrefix, openDuckDb, writeParquet, type DuckDb } from '@flowforge/engine';
import { S3ObjectStore } from '@flowforge/storage';
import { startS3rver, type S3rverHandle } from '@flowforge/storage/testing';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { call, internalHeaders, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { encodeMasterKey, generateMasterKey } from '../secrets/master-key';
import type { CommitResult } from './asset-commit.service';
import type { PreviewView } from './asset-read.service';

/** The same protocol on an S3 lake (distributed mode): DuckDB reads downloaded copies, never the network. */
describe('data assets on an S3 lake (s3rver)', () => {
  let db: TestDatabase;
  let s3: S3rverHandle;
  let host: CatalogHost;
  let writer: S3ObjectStore;
  let duck: DuckDb;
  const ref = { layer: 'bronze' as const, namespace: 'crm', table: 'contacts' };

  beforeAll(async () => {
    db = await createTestDatabase('ff_cats3');
    s3 = await startS3rver('ff-lake-catalog');
    const env = {
      FLOWFORGE_MASTER_KEY: encodeMasterKey(generateMasterKey()),
      FLOWFORGE_LAKE_STORE: 's3',
      FLOWFORGE_LAKE_S3_BUCKET: s3.bucket,
      FLOWFORGE_LAKE_S3_REGION: s3.region,
      FLOWFORGE_LAKE_S3_ENDPOINT: s3.endpoint,
      FLOWFORGE_LAKE_S3_FORCE_PATH_STYLE: 'true',
      FLOWFORGE_LAKE_S3_PREFIX: 'lake/',
      FLOWFORGE_LAKE_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: '0',
    };
    host = await startCatalogHost({ databaseUrl: db.url, env });
    writer = new S3ObjectStore({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      prefix: 'lake/',
      maxAttempts: 1,
    });
    duck = await openDuckDb({ memoryLimit: '256MB', threads: 2 });
  });

  afterAll(async () => {
    duck?.close();
    writer?.client.destroy();
    await host?.close();
    await s3?.stop();
    await db?.drop();
  });

  it('commits staged S3 files, previews them and downloads CSV and Parquet', async () => {
    const w = await writeParquet(
      writer,
      attemptPrefix(ref, 'att-s3-1'),
      { sql: `SELECT i AS id, 'contact ' || i AS name FROM range(0, 30000) t(i)` },
      { db: duck, targetFileBytes: 20_000, rowGroupRows: 5_000 },
    );
    expect(w.files.length).toBeGreaterThan(1);
    const r = await call<CommitResult>(host.base, 'POST', '/internal/catalog/assets/commit', {
      ...ref,
      parentSnapshotId: null,
      files: w.files,
      schema: w.schema,
      stats: w.stats,
      rowCount: w.rowCount,
      idempotencyKey: 's3/1',
    });
    expect(r.status).toBe(201);
    const assetId = r.body.snapshot.assetId;

    const preview = await call<PreviewView>(host.base, 'GET', `/internal/catalog/assets/${assetId}/preview?limit=3`);
    expect(preview.body.rows).toEqual([0, 1, 2].map((i) => ({ id: String(i), name: `contact ${i}` })));

    const csv = await fetch(`${host.base}/internal/catalog/assets/${assetId}/download?format=csv`, { headers: internalHeaders });
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(30_001);
    expect(lines[0]).toBe('id,name');
    expect(lines[30_000]).toBe('29999,contact 29999');

    const parquet = await fetch(`${host.base}/internal/catalog/assets/${assetId}/download?format=parquet`, { headers: internalHeaders });
    expect(parquet.status).toBe(200);
    const bytes = Buffer.from(await parquet.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
  });
});
