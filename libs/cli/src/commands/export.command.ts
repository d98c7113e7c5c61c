import type { Command } from 'commander';
import type { CliContext, CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';

interface ExportOptions {
  workflow?: string;
}

export function registerExportCommand(program: Command, runner: CommandRunner): void {
  program
    .command('export')
    .description('Print the canonical YAML of every job and workflow (apply it back and nothing changes)')
    .option('--workflow <name>', 'only this workflow and the jobs it uses')
    .addHelpText('after', '\nExample:\n  flowforge export --workflow daily-sales > daily-sales.yaml')
    .action(runner.action<[ExportOptions]>(exportYaml));
}

export async function exportYaml(ctx: CliContext, options: ExportOptions): Promise<number> {
  const yaml = await ctx.client.exportYaml(options.workflow, ctx.signal);
  if (ctx.json) ctx.out.data({ yaml });
  else ctx.out.text(yaml);
  return ExitCodes.ok;
}
