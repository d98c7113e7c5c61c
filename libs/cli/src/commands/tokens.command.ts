import type { Command } from 'commander';
import type { ApiTokenView } from '../api/api.types';
import { intArg, uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { formatLocalTime } from '../output/time.format';
import { collect } from '../params.parser';

interface CreateOptions {
  permission: string[];
  expiresInDays?: number;
}

export function registerTokensCommand(program: Command, runner: CommandRunner): void {
  const tokens = program.command('tokens').description('Your API tokens: credentials for scripts and CI (FLOWFORGE_TOKEN), scoped to permissions');
  tokens
    .command('create')
    .description('Create an API token; it is printed once, now, and never again')
    .argument('<name>', 'what it is for, e.g. "ci-nightly"')
    .requiredOption('--permission <permission>', 'a permission the token grants, e.g. workflow:execute (repeatable; at most what you hold)', collect)
    .option('--expires-in-days <n>', 'expire after this many days (1-3650; default: never)', intArg(1, 3650))
    .addHelpText('after', '\nExample:\n  flowforge tokens create ci-nightly --permission workflow:view --permission workflow:execute --expires-in-days 90')
    .action(runner.action<[string, CreateOptions]>(createToken));
  tokens.command('ls').alias('list').description('List your API tokens (never the tokens themselves)').action(runner.action<[object]>(listTokens));
  tokens
    .command('revoke')
    .description('Revoke one of your API tokens: it stops working at once')
    .argument('<id>', 'token id (see tokens ls)', uuidArg('token'))
    .action(runner.action<[string, object]>(revokeToken));
}

/**
 * POST /tokens. The token alone goes to stdout (`TOKEN=$(flowforge tokens create ...)` works), what
 * it is and the warning that it is shown only now go to stderr; with --json, the whole answer.
 */
export async function createToken(ctx: CliContext, name: string, options: CreateOptions): Promise<number> {
  const created = await ctx.client.createToken({ name, permissions: options.permission, expiresInDays: options.expiresInDays }, ctx.signal);
  if (ctx.json) ctx.out.data(created);
  else ctx.out.line(created.token);
  ctx.out.note(
    `created API token ${created.id} "${created.name}" (${created.permissions.join(', ')}), ${created.expiresAt ? `expires ${formatLocalTime(created.expiresAt)}` : 'never expires'}`,
  );
  ctx.out.note('this is the only time the token is shown: store it now (e.g. as FLOWFORGE_TOKEN in your CI secrets)');
  return ExitCodes.ok;
}

function stateOf(t: ApiTokenView, now = Date.now()): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

const COLUMNS: TableColumn<ApiTokenView>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name, maxWidth: 40 },
  { header: 'state', value: (t) => stateOf(t) },
  { header: 'permissions', value: (t) => t.permissions.join(','), maxWidth: 60 },
  { header: 'created', value: (t) => formatLocalTime(t.createdAt) },
  { header: 'expires', value: (t) => (t.expiresAt ? formatLocalTime(t.expiresAt) : 'never') },
  { header: 'last used', value: (t) => (t.lastUsedAt ? formatLocalTime(t.lastUsedAt) : 'never') },
];

export async function listTokens(ctx: CliContext): Promise<number> {
  const tokens = await ctx.client.listTokens(ctx.signal);
  if (ctx.json) ctx.out.data(tokens);
  else if (tokens.length === 0) ctx.out.note('no API tokens');
  else ctx.out.text(renderTable(COLUMNS, tokens));
  return ExitCodes.ok;
}

export async function revokeToken(ctx: CliContext, id: string): Promise<number> {
  await ctx.client.revokeToken(id, ctx.signal);
  if (ctx.json) ctx.out.data({ id, revoked: true });
  else ctx.out.line(`token ${id} revoked`);
  return ExitCodes.ok;
}
