import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { TriggerDto } from '@flowforge/contracts/http-api';
import type { CliContext, CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes, UsageError } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';

export function registerTriggersCommand(program: Command, runner: CommandRunner): void {
  const triggers = program.command('triggers').description('Triggers: webhooks, Kafka and RabbitMQ messages, file arrivals that start workflow runs');
  triggers.command('ls').alias('list').description('List triggers (secrets never shown)').action(runner.action<[object]>(listTriggers));
  triggers
    .command('test')
    .description('Show what a sample event would do: matched or why not, and the run parameters (records nothing, starts no run)')
    .argument('<name>', 'trigger name')
    .requiredOption('--payload <json|@file>', 'the event payload: a JSON object, or @path to a file holding one')
    .option('--meta <key=value...>', 'facts besides the payload (key, header.<name>, path)')
    .addHelpText(
      'after',
      '\nExamples:\n  flowforge triggers test orders-hook --payload \'{"order":{"id":"o-1"}}\'\n  flowforge triggers test kafka-orders --payload @sample.json --meta key=a',
    )
    .action(runner.action<[string, { payload: string; meta?: string[] }, object]>(testTrigger));
}

const COLUMNS: TableColumn<TriggerDto>[] = [
  { header: 'name', value: (t) => t.name },
  { header: 'type', value: (t) => t.type },
  { header: 'workflow', value: (t) => t.workflow },
  { header: 'enabled', value: (t) => (t.enabled ? 'yes' : 'no') },
  { header: 'hook', value: (t) => t.hookPath ?? '' },
];

export async function listTriggers(ctx: CliContext): Promise<number> {
  const triggers = await ctx.client.listTriggers(ctx.signal);
  if (ctx.json) ctx.out.data(triggers);
  else ctx.out.text(renderTable(COLUMNS, triggers));
  return ExitCodes.ok;
}

export async function testTrigger(ctx: CliContext, name: string, opts: { payload: string; meta?: string[] }): Promise<number> {
  const payload = await readPayload(ctx, opts.payload);
  const meta: Record<string, string> = {};
  for (const pair of opts.meta ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta ${pair}: expected key=value`);
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const result = await ctx.client.testTrigger(name, { payload, ...(opts.meta ? { meta } : {}) }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(result);
    return ExitCodes.ok;
  }
  ctx.out.text(`${result.matched ? 'matched' : 'not matched'}: ${result.reason}`);
  for (const [k, v] of Object.entries(result.params ?? {})) ctx.out.text(`  ${k} = ${v}`);
  return ExitCodes.ok;
}

async function readPayload(ctx: CliContext, arg: string): Promise<Record<string, unknown>> {
  let text = arg;
  if (arg.startsWith('@')) {
    const file = arg.slice(1);
    try {
      text = await fs.readFile(path.resolve(ctx.io.cwd, file), 'utf8');
    } catch (err) {
      throw new CliFailure(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--payload is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--payload must be a JSON object');
  return value as Record<string, unknown>;
}
