import { InvalidArgumentError, type Command } from 'commander';
import { FlowForgeClient } from './api/flowforge.client';
import { CliOutput, type CliIo } from './cli.io';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The options every command takes (before or after its name), defaults filled from the environment. */
export interface GlobalOptions {
  url: string;
  token?: string;
  json?: boolean;
}

/** As commander parsed them: absent when not given. */
type ParsedGlobals = Partial<GlobalOptions>;

/** The flag wins, then FLOWFORGE_URL / FLOWFORGE_TOKEN, then the local default. */
export function resolveGlobals(parsed: ParsedGlobals, env: CliIo['env']): GlobalOptions {
  return {
    url: parsed.url || env.FLOWFORGE_URL || DEFAULT_URL,
    token: parsed.token || env.FLOWFORGE_TOKEN || undefined,
    json: parsed.json === true,
  };
}

/** What a command works with: where to write, the API client, whether to print JSON. */
export class CliContext {
  readonly out: CliOutput;
  private clientInstance: FlowForgeClient | undefined;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {
    this.out = new CliOutput(io, globals.json === true);
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  get signal(): AbortSignal | undefined {
    return this.io.signal;
  }

  /** Built on first use, so a bad --url is reported only by commands that talk to the gateway. */
  get client(): FlowForgeClient {
    this.clientInstance ??= new FlowForgeClient({ baseUrl: this.globals.url, token: this.globals.token, fetch: this.io.fetch });
    return this.clientInstance;
  }
}

/** Runs a command's body and keeps its exit code (commander ignores what actions return). */
export class CommandRunner {
  exitCode = 0;

  constructor(private readonly io: CliIo) {}

  /**
   * A commander action calling `fn(context, ...arguments, options)`; commander passes the command
   * itself last, which is where the global options are read.
   */
  action<A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<number>): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const ctx = new CliContext(this.io, resolveGlobals(command.optsWithGlobals<ParsedGlobals>(), this.io.env));
      this.exitCode = await fn(ctx, ...(args.slice(0, -1) as A));
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** commander argument/option parser: a run, asset or snapshot id. */
export function uuidArg(what: string): (value: string) => string {
  return (value) => {
    if (!UUID.test(value)) throw new InvalidArgumentError(`expected a ${what} id (a UUID like 3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21)`);
    return value.toLowerCase();
  };
}

/** commander option parser: an integer within bounds. */
export function intArg(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return Number(value);
  };
}
