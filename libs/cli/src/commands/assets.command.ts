import { Option, type Command } from 'commander';
import type { AssetDto, ColumnDto, PreviewDto, SnapshotDto } from '@flowforge/contracts/http-api';
import { ASSET_LAYERS } from '../api/api.types';
import { intArg, uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { formatBytes } from '../output/byte-progress';
import { formatLocalTime } from '../output/time.format';

interface ListOptions {
  /** One of ASSET_LAYERS: commander refuses any other value. */
  layer?: AssetDto['layer'];
  namespace?: string;
  table?: string;
  limit?: number;
}

interface PreviewOptions {
  limit?: number;
  snapshot?: string;
}

export function registerAssetsCommand(program: Command, runner: CommandRunner): void {
  const assets = program.command('assets').description("Data assets: the lake's tables and their snapshots");
  assets
    .command('ls')
    .alias('list')
    .description('List data assets with their current snapshot')
    .addOption(new Option('--layer <layer>', 'only this layer').choices(ASSET_LAYERS))
    .option('--namespace <name>', 'only this namespace')
    .option('--table <name>', 'only this table name')
    .option('-n, --limit <n>', 'how many (1-1000)', intArg(1, 1000), 100)
    .action(runner.action<[ListOptions]>(listAssets));
  assets
    .command('show')
    .description('Show an asset: its current snapshot, schema and recent snapshots')
    .argument('<id>', 'asset id', uuidArg('asset'))
    .action(runner.action<[string, object]>(showAsset));
  assets
    .command('preview')
    .description("Print the first rows of an asset's current (or given) snapshot")
    .argument('<id>', 'asset id', uuidArg('asset'))
    .option('-n, --limit <n>', 'how many rows (1-10000)', intArg(1, 10_000), 20)
    .option('--snapshot <id>', 'read this snapshot instead of the current one (time travel)', uuidArg('snapshot'))
    .action(runner.action<[string, PreviewOptions]>(previewAsset));
}

const ASSET_COLUMNS: TableColumn<AssetDto>[] = [
  { header: 'asset', value: (a) => a.id },
  { header: 'layer', value: (a) => a.layer },
  { header: 'namespace', value: (a) => a.namespace },
  { header: 'table', value: (a) => a.table },
  { header: 'snapshot', value: (a) => (a.currentSnapshot ? `#${a.currentSnapshot.sequence}` : ''), align: 'right' },
  { header: 'rows', value: (a) => a.currentSnapshot?.rowCount, align: 'right' },
  { header: 'size', value: (a) => (a.currentSnapshot ? formatBytes(a.currentSnapshot.totalBytes) : ''), align: 'right' },
  { header: 'updated', value: (a) => formatLocalTime(a.updatedAt) },
];

export async function listAssets(ctx: CliContext, options: ListOptions): Promise<number> {
  const assets = await ctx.client.listAssets({ layer: options.layer, namespace: options.namespace, table: options.table, limit: options.limit }, ctx.signal);
  if (ctx.json) ctx.out.data(assets);
  else if (assets.length === 0) ctx.out.note('no assets');
  else ctx.out.text(renderTable(ASSET_COLUMNS, assets));
  return ExitCodes.ok;
}

const SCHEMA_COLUMNS: TableColumn<ColumnDto>[] = [
  { header: 'column', value: (c) => c.name },
  { header: 'type', value: (c) => c.type },
  { header: 'nullable', value: (c) => (c.nullable ? 'yes' : 'no') },
];

const SNAPSHOT_COLUMNS: TableColumn<SnapshotDto>[] = [
  { header: '#', value: (s) => s.sequence, align: 'right' },
  { header: 'snapshot', value: (s) => s.id },
  { header: 'operation', value: (s) => s.operation },
  { header: 'rows', value: (s) => s.rowCount, align: 'right' },
  { header: 'files', value: (s) => s.fileCount, align: 'right' },
  { header: 'size', value: (s) => formatBytes(s.totalBytes), align: 'right' },
  { header: 'committed', value: (s) => formatLocalTime(s.committedAt) },
  { header: 'run', value: (s) => s.runId },
];

export async function showAsset(ctx: CliContext, id: string): Promise<number> {
  const asset = await ctx.client.getAsset(id, ctx.signal);
  const snapshots = await ctx.client.assetSnapshots(id, { limit: 10 }, ctx.signal);
  if (ctx.json) {
    ctx.out.data({ asset, snapshots });
    return ExitCodes.ok;
  }
  const current = asset.currentSnapshot;
  const retention = [
    asset.retention.keepLast !== null ? `keep last ${asset.retention.keepLast}` : '',
    asset.retention.maxAgeSeconds !== null ? `keep ${asset.retention.maxAgeSeconds} s` : '',
  ].filter(Boolean);
  const facts: [string, string][] = [
    ['asset', asset.id],
    ['table', `${asset.layer}.${asset.namespace}.${asset.table}`],
    ['created', formatLocalTime(asset.createdAt)],
    ['updated', formatLocalTime(asset.updatedAt)],
    ['retention', retention.length > 0 ? retention.join(', ') : 'keep everything'],
    [
      'current',
      current
        ? `#${current.sequence} ${current.id} (${current.rowCount} rows, ${current.fileCount} file${current.fileCount === 1 ? '' : 's'}, ${formatBytes(current.totalBytes)})`
        : 'no snapshot yet',
    ],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) ctx.out.line(`${k.padEnd(width)}  ${v}`);
  if (current) {
    ctx.out.line();
    ctx.out.line(`schema (version ${current.schemaVersion})`);
    ctx.out.text(renderTable(SCHEMA_COLUMNS, current.schema));
  }
  if (snapshots.length > 0) {
    ctx.out.line();
    ctx.out.line('snapshots (newest first)');
    ctx.out.text(renderTable(SNAPSHOT_COLUMNS, snapshots));
  }
  return ExitCodes.ok;
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)\b/i;

export async function previewAsset(ctx: CliContext, id: string, options: PreviewOptions): Promise<number> {
  const preview = await ctx.client.previewAsset(id, { limit: options.limit, snapshot: options.snapshot }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(preview);
    return ExitCodes.ok;
  }
  ctx.out.text(renderPreview(preview));
  ctx.out.note(`${preview.rows.length} row${preview.rows.length === 1 ? '' : 's'} of snapshot #${preview.sequence} ${preview.snapshotId}`);
  return ExitCodes.ok;
}

/** The rows as a table, in the snapshot's column order; numbers right-aligned, NULL spelled out. */
export function renderPreview(preview: Pick<PreviewDto, 'columns' | 'rows'> & Partial<PreviewDto>): string {
  const columns: TableColumn<Record<string, unknown>>[] = preview.columns.map((c) => ({
    header: c.name,
    value: (row) => row[c.name],
    align: NUMERIC_TYPE.test(c.type) ? 'right' : 'left',
  }));
  // Headers are column names here: keep their case.
  return renderTable(columns, preview.rows, { empty: 'NULL', headers: 'as-is' });
}
