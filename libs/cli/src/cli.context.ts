import { InvalidArgumentError, type Command } from 'commander';
import { FlowForgeClient, normaliseBaseUrl } from './api/flowforge.client';
import { StaticCredentials, StoredSessionCredentials, type BearerCredentials } from './auth/bearer.credentials';
import { CredentialStore } from './auth/credentials.store';
import { CliOutput, type CliIo } from './cli.io';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The options every command takes (before or after its name), defaults filled from the environment. */
export interface GlobalOptions {
  url: string;
  token?: string;
  /** Where `token` came from: --token or FLOWFORGE_TOKEN. */
  tokenSource?: 'flag' | 'env';
  json?: boolean;
  /** Each request and answer on stderr (never a credential). */
  verbose?: boolean;
}

/** As commander parsed them: absent when not given. */
type ParsedGlobals = Partial<Omit<GlobalOptions, 'tokenSource'>>;

/**
 * The flag wins, then FLOWFORGE_URL / FLOWFORGE_TOKEN, then the local default (for the token: the
 * sign-in stored by `flowforge login`, looked up later by CliContext).
 */
export function resolveGlobals(parsed: ParsedGlobals, env: CliIo['env']): GlobalOptions {
  const tokenSource = parsed.token ? 'flag' : env.FLOWFORGE_TOKEN ? 'env' : undefined;
  return {
    url: parsed.url || env.FLOWFORGE_URL || DEFAULT_URL,
    token: parsed.token || env.FLOWFORGE_TOKEN || undefined,
    tokenSource,
    json: parsed.json === true,
    verbose: parsed.verbose === true,
  };
}

/** What a command works with: where to write, the API client, whether to print JSON. */
export class CliContext {
  readonly out: CliOutput;
  private clientInstance: FlowForgeClient | undefined;
  private storeInstance: CredentialStore | undefined;

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
    this.clientInstance ??= this.clientWith(this.explicitCredentials() ?? this.storedCredentials());
    return this.clientInstance;
  }

  /** `$FLOWFORGE_CONFIG_DIR/credentials.json`, else `~/.flowforge/credentials.json`. */
  get store(): CredentialStore {
    this.storeInstance ??= CredentialStore.fromEnv(this.io.env);
    return this.storeInstance;
  }

  /** The gateway URL as the credentials file keys it (normalised; a bad --url is a usage error). */
  get server(): string {
    return normaliseBaseUrl(this.globals.url);
  }

  /** A client sending `credentials` (none: anonymous), e.g. logout's, which ends the stored sign-in whatever FLOWFORGE_TOKEN says. */
  clientWith(credentials: BearerCredentials | undefined): FlowForgeClient {
    return new FlowForgeClient({ baseUrl: this.globals.url, credentials, fetch: this.io.fetch, trace: this.trace });
  }

  /** --token, then FLOWFORGE_TOKEN. */
  explicitCredentials(): BearerCredentials | undefined {
    return this.globals.token && this.globals.tokenSource ? new StaticCredentials(this.globals.token, this.globals.tokenSource) : undefined;
  }

  /** The sign-in `flowforge login` stored for this gateway, refreshed through an anonymous client. */
  storedCredentials(): StoredSessionCredentials | undefined {
    const server = this.server;
    const stored = this.store.read(server);
    if (!stored) return undefined;
    const anonymous = this.clientWith(undefined);
    return new StoredSessionCredentials(this.store, server, stored, (token, signal) => anonymous.refreshSession(token, signal), { trace: this.trace });
  }

  private get trace(): ((line: string) => void) | undefined {
    return this.globals.verbose ? (line) => this.out.note(line) : undefined;
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
