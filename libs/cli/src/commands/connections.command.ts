import type { Command } from 'commander';
import type { ConnectionDto, FileEntryDto } from '@flowforge/contracts/http-api';
import type { CliContext, CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes } from '../cli.errors';
import { formatBytes } from '../output/byte-progress';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { formatLocalTime } from '../output/time.format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 1000;

export function registerConnectionsCommand(program: Command, runner: CommandRunner): void {
  const connections = program.command('connections').description('Connections: where data comes from (files, object stores, databases, APIs)');
  connections.command('ls').alias('list').description('List connections (secrets never shown)').action(runner.action<[object]>(listConnections));
  connections
    .command('browse')
    .description('List one folder of a file connection (local, s3, gcs, azure, sftp, ftp, smb): folders and files with size and date')
    .argument('<connection>', 'connection name or id')
    .argument('[path]', 'folder relative to the connection root', '')
    .addHelpText('after', '\nExamples:\n  flowforge connections browse landing\n  flowforge connections browse lake-raw exports/2026/01')
    .action(runner.action<[string, string, object]>(browse));
}

/** Every connection, page by page (the API gives at most 1000 at a time). */
async function allConnections(ctx: CliContext): Promise<ConnectionDto[]> {
  const all: ConnectionDto[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await ctx.client.listConnections({ limit: PAGE, offset }, ctx.signal);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

const CONNECTION_COLUMNS: TableColumn<ConnectionDto>[] = [
  { header: 'name', value: (c) => c.name },
  { header: 'type', value: (c) => c.type },
  { header: 'description', value: (c) => c.description ?? '' },
  { header: 'id', value: (c) => c.id },
];

export async function listConnections(ctx: CliContext): Promise<number> {
  const connections = await allConnections(ctx);
  if (ctx.json) ctx.out.data(connections);
  else ctx.out.text(renderTable(CONNECTION_COLUMNS, connections));
  return ExitCodes.ok;
}

const ENTRY_COLUMNS: TableColumn<FileEntryDto>[] = [
  { header: 'name', value: (e) => (e.kind === 'dir' ? `${e.name}/` : e.name) },
  { header: 'size', value: (e) => (e.size === null ? '' : formatBytes(e.size)), align: 'right' },
  { header: 'modified', value: (e) => (e.modifiedAt ? formatLocalTime(e.modifiedAt) : '') },
];

export async function browse(ctx: CliContext, connection: string, path: string): Promise<number> {
  let id = connection;
  if (!UUID.test(connection)) {
    const found = (await allConnections(ctx)).find((c) => c.name === connection);
    if (!found) throw new CliFailure(`no connection named "${connection}" (flowforge connections ls lists them)`);
    id = found.id;
  }
  const listing = await ctx.client.browseConnection(id, path, ctx.signal);
  if (ctx.json) {
    ctx.out.data(listing);
    return ExitCodes.ok;
  }
  ctx.out.text(renderTable(ENTRY_COLUMNS, listing.entries, { empty: '' }));
  if (listing.entries.length === 0) ctx.out.note(`${listing.path || '/'} is empty`);
  if (listing.truncated) ctx.out.note(`only the first ${listing.entries.length} entries are shown`);
  return ExitCodes.ok;
}
