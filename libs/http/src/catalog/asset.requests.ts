import { AssetLayerSymbols } from '@flowforge/contracts';
import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { requestSchema } from '../openapi/zod-openapi';
import { INT32_MAX } from '../params/int-param.pipe';
import { limitQuery, offsetQuery } from '../params/page.query';

/**
 * The lake's naming rule, as libs/engine/src/lake-layout.ts (LAKE_NAME) enforces it on paths. Not imported
 * from there: the engine loads DuckDB, which the gateway describing these routes must not.
 */
const LAKE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

const layer = z.enum(AssetLayerSymbols, says('must be one of "bronze", "silver", "gold"'));
const lakeName = z.string(says('must be a lake name')).regex(LAKE_NAME, 'must be 1-63 lower-case letters, digits or "_", starting with a letter');
const uuid = z.uuid({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a UUID') });
const count = (what: string) =>
  z
    .number(says(`must be a non-negative integer (${what})`))
    .int(`must be a non-negative integer (${what})`)
    .min(0, `must be a non-negative integer (${what})`)
    .max(Number.MAX_SAFE_INTEGER);
const json = z.union([z.string(), z.number(), z.boolean(), z.null()], says('must be a string, number, boolean or null'));

/**
 * A writer's commit (docs/architecture.md, The lake: commit protocol). Either `assetId`, or `layer` + `namespace` + `table`
 * (the asset is created by its first commit). `parentSnapshotId` is the snapshot the writer read — null
 * for the first commit — and is compared-and-set.
 */
export const commitRequest = z
  .strictObject({
    assetId: uuid.optional(),
    layer: layer.optional(),
    namespace: lakeName.optional(),
    table: lakeName.optional(),
    parentSnapshotId: uuid.nullable(),
    mode: z.enum(['overwrite', 'append'], says('must be one of "overwrite", "append"')).default('overwrite'),
    files: z
      .array(
        z.strictObject({
          path: z.string(says('must be an object key')).min(1, 'must be an object key').max(1024, 'must be at most 1024 characters'),
          rows: count('rows'),
          bytes: count('bytes'),
        }),
        says('must be a list of files'),
      )
      .min(1, 'must list at least one file (an empty result is still one Parquet file carrying the schema)')
      .max(100_000, 'must list at most 100000 files'),
    schema: z
      .array(
        z.strictObject({
          name: z.string(says('must be a column name')).min(1, 'must be a column name').max(255),
          type: z.string(says('must be a DuckDB type')).min(1, 'must be a DuckDB type').max(4096),
          nullable: z.boolean(says('must be true or false')),
        }),
        says('must be a list of columns'),
      )
      .min(1, 'must list at least one column'),
    stats: z
      .record(z.string(), z.strictObject({ min: json, max: json, nullCount: count('nullCount') }), says('must be an object of column statistics'))
      .default({}),
    rowCount: count('rowCount'),
    runId: z.string(says('must be a string')).min(1).max(200).nullable().optional(),
    // The source files the snapshot was made from (an ingestion names them); carried by AssetCommitted.
    inputs: z
      .array(
        z.strictObject({
          connection: z.string(says('must be a connection name')).min(1, 'must be a connection name').max(200, 'must be at most 200 characters'),
          path: z.string(says('must be a path')).min(1, 'must be a path').max(1024, 'must be at most 1024 characters'),
          size: count('size').nullable(),
          etag: z.string(says('must be a string or null')).max(1024, 'must be at most 1024 characters').nullable(),
        }),
        says('must be a list of source files'),
      )
      .max(10_000, 'must list at most 10000 source files')
      .default([]),
    // The lake snapshots the snapshot was computed from (a transformation names them); the catalog checks each
    // exists and records its table, for reproduction and lineage; carried by AssetCommitted.
    sourceSnapshots: z
      .array(
        z.strictObject({
          assetId: uuid,
          snapshotId: uuid,
        }),
        says('must be a list of { assetId, snapshotId }'),
      )
      .max(1000, 'must list at most 1000 snapshots')
      .default([]),
    idempotencyKey: z.string(says('must be a string, e.g. <run>/<step>/<attempt>')).min(1, 'must not be empty').max(300, 'must be at most 300 characters'),
  })
  .superRefine((c, ctx) => {
    if (!c.assetId && !(c.layer && c.namespace && c.table)) {
      for (const field of ['layer', 'namespace', 'table'] as const) {
        if (!c[field]) ctx.addIssue({ code: 'custom', path: [field], message: 'is required unless assetId is given' });
      }
    }
    const sum = c.files.reduce((n, f) => n + f.rows, 0);
    if (sum !== c.rowCount) ctx.addIssue({ code: 'custom', path: ['rowCount'], message: `must equal the sum of files[].rows (${sum})` });
    const seen = new Set<string>();
    c.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: 'is listed twice' });
      seen.add(f.path);
    });
    const columns = new Set<string>();
    c.schema.forEach((col, i) => {
      if (columns.has(col.name)) ctx.addIssue({ code: 'custom', path: ['schema', i, 'name'], message: `names column "${col.name}" twice` });
      columns.add(col.name);
    });
    for (const name of Object.keys(c.stats)) {
      if (!columns.has(name)) ctx.addIssue({ code: 'custom', path: ['stats', name], message: 'is not a column of schema' });
    }
  });
export type CommitRequest = z.output<typeof commitRequest>;

export const listAssetsQuery = z.strictObject({
  layer: layer.optional(),
  namespace: lakeName.optional().meta({ example: 'sales' }),
  table: lakeName.optional().meta({ example: 'orders' }),
  limit: limitQuery(1000, 100),
  offset: offsetQuery,
});
export type ListAssetsQuery = z.output<typeof listAssetsQuery>;

export const listSnapshotsQuery = z.strictObject({ limit: limitQuery(1000, 100), offset: offsetQuery });
export type ListSnapshotsQuery = z.output<typeof listSnapshotsQuery>;

export const previewQuery = z.strictObject({
  snapshot: uuid.optional().describe('Snapshot to read (time travel); default: the current one'),
  limit: limitQuery(10_000, 100),
});
export type PreviewQuery = z.output<typeof previewQuery>;

export const downloadQuery = z.strictObject({
  snapshot: uuid.optional().describe('Snapshot to export; default: the current one'),
  format: z.enum(['csv', 'parquet'], says('must be one of "csv", "parquet"')).default('csv'),
});
export type DownloadQuery = z.output<typeof downloadQuery>;

/** Keep a snapshot while it is among the last `keepLast` or younger than `maxAgeSeconds`; null clears a rule. */
export const retentionRequest = requestSchema(
  'RetentionDto',
  z
    .strictObject({
      keepLast: z
        .number(says('must be an integer >= 1, or null'))
        .int('must be an integer >= 1, or null')
        .min(1, 'must be an integer >= 1, or null')
        .max(INT32_MAX, `must be at most ${INT32_MAX}`)
        .nullable()
        .optional()
        .describe('Keep the last N snapshots (null clears the rule)'),
      maxAgeSeconds: z
        .number(says('must be an integer >= 0, or null'))
        .int('must be an integer >= 0, or null')
        .min(0, 'must be an integer >= 0, or null')
        .max(Number.MAX_SAFE_INTEGER)
        .nullable()
        .optional()
        .describe('Keep snapshots younger than this (null clears the rule)'),
    })
    .refine((r) => r.keepLast !== undefined || r.maxAgeSeconds !== undefined, 'must set keepLast and/or maxAgeSeconds (null clears one)'),
);
export type RetentionRequest = z.output<typeof retentionRequest>;
