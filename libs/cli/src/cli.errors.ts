/**
 * How the CLI ends: 0 done, 1 the API refused or the run did not succeed, 2 the command line is
 * wrong, 3 the gateway cannot be reached. Scripts branch on these, so they are part of the interface.
 */
export const ExitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  /** Ctrl+C: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

/** The command line is wrong (bad option value, malformed `--param`): exit 2. */
export class UsageError extends Error {
  readonly exitCode = ExitCodes.usage;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An RFC 9457 problem (or any non-2xx answer) from the API: `error: <title>: <detail>`, exit 1. */
export class ApiProblemError extends Error {
  readonly exitCode = ExitCodes.failed;

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code?: string,
    readonly errors?: { field: string; message: string; position?: number }[],
    /** Retry-After in seconds, when the answer had one (429 FF_AUTH_LOCKED). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiProblemError';
  }
}

/** No HTTP answer at all (refused, DNS, TLS, timeout): exit 3, naming the URL tried. */
export class GatewayUnreachableError extends Error {
  readonly exitCode = ExitCodes.unreachable;

  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the FlowForge gateway at ${url} (${reason}); is it running? Set --url or FLOWFORGE_URL`);
    this.name = 'GatewayUnreachableError';
  }
}

/** Something the user can act on that is neither usage nor API (unreadable file, invalid YAML): exit 1. */
export class CliFailure extends Error {
  readonly exitCode = ExitCodes.failed;

  constructor(
    message: string,
    /** Further lines printed under the `error:` line, e.g. one per validation issue. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/**
 * The gateway did not accept who we are (401), or we had nothing to show it: exit 1, with lines
 * saying how to sign in. `code` is the server's (FF_AUTH_REQUIRED, FF_AUTH_TOKEN_INVALID...) or the
 * CLI's own (FF_CLI_SESSION_ENDED when a stored sign-in could not be refreshed).
 */
export class AuthenticationFailure extends CliFailure {
  constructor(
    readonly code: string,
    message: string,
    details: readonly string[] = [],
  ) {
    super(message, details);
    this.name = 'AuthenticationFailure';
  }
}
