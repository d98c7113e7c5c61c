import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { formatIssueWithColumn, parseDocuments, WorkflowValidationError } from '@flowforge/workflow';
import type { AppliedDocumentDto } from '@flowforge/contracts/http-api';
import type { CliContext, CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes } from '../cli.errors';
import type { CliIo } from '../cli.io';

interface ApplyOptions {
  file: string;
}

export function registerApplyCommand(program: Command, runner: CommandRunner): void {
  program
    .command('apply')
    .description('Create or update the jobs, workflows, schedules and triggers of a YAML file (validated here first; jobs and workflows in one transaction)')
    .requiredOption('-f, --file <path>', 'the workflow-as-code file ("-" reads stdin)')
    .addHelpText('after', '\nExample:\n  flowforge apply -f pipeline.yaml')
    .action(runner.action<[ApplyOptions]>(apply));
}

/**
 * Validates the file with the workflow model first, so a typo fails here naming its line without a
 * round trip; the server then checks what only it knows (registered job types and their config
 * schemas, existing job versions) and answers what it created, updated or left unchanged.
 */
export async function apply(ctx: CliContext, options: ApplyOptions): Promise<number> {
  const name = options.file === '-' ? '<stdin>' : options.file;
  const text = await readSource(ctx.io, options.file);
  let documents: number;
  try {
    const parsed = parseDocuments(text);
    documents = parsed.jobs.length + parsed.workflows.length + (parsed.schedules?.length ?? 0) + (parsed.triggers?.length ?? 0);
  } catch (err) {
    if (!(err instanceof WorkflowValidationError)) throw err;
    throw new CliFailure(
      `${name} is invalid (${err.code}, ${err.issues.length} issue${err.issues.length === 1 ? '' : 's'})`,
      err.issues.map((i) => `${name}: ${formatIssueWithColumn(i)}`),
    );
  }
  if (documents === 0) throw new CliFailure(`${name} holds no Job, Workflow, Schedule or Trigger document`);

  const result = await ctx.client.applyYaml(text, ctx.signal);
  if (ctx.json) {
    ctx.out.data(result);
    return ExitCodes.ok;
  }
  for (const d of result.documents) ctx.out.line(describe(d));
  const count = (s: AppliedDocumentDto['status']): number => result.documents.filter((d) => d.status === s).length;
  ctx.out.note(`applied ${name}: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged`);
  return ExitCodes.ok;
}

function describe(d: AppliedDocumentDto): string {
  const line = `${d.kind.toLowerCase()}/${d.name} ${d.status} (version ${d.version})`;
  // A webhook's generated secret is answered this once: the sender needs it to sign its deliveries.
  return d.secret ? `${line}; webhook secret, shown once: ${d.secret}` : line;
}

export async function readSource(io: CliIo, file: string): Promise<string> {
  if (file === '-') {
    if (!io.stdin) throw new CliFailure('cannot read stdin here; pass a file with -f <path>');
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fs.readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliFailure(`cannot read ${file}: ${why}`);
  }
}
