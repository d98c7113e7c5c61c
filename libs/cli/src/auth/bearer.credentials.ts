import type { TokenPair } from '../api/api.types';
import { ApiProblemError, AuthenticationFailure } from '../cli.errors';
import type { CredentialStore, StoredCredentials } from './credentials.store';

/** Where the bearer token of a call comes from, in the order they are looked for. */
export type CredentialSource = 'flag' | 'env' | 'stored';

/** A token to send as `Authorization: Bearer`, and how to get a new one when it has expired. */
export interface BearerCredentials {
  readonly source: CredentialSource;
  /** For --verbose and error messages: where the credential comes from, never the credential. */
  readonly description: string;
  /** The token to send; a stored access token known to have expired is refreshed first. */
  token(signal?: AbortSignal): Promise<string>;
  /**
   * After a 401 FF_AUTH_TOKEN_EXPIRED for `rejected`: a new token, or undefined when this credential
   * cannot be renewed (a --token or FLOWFORGE_TOKEN is what it is). Throws AuthenticationFailure when
   * the server refuses the refresh.
   */
  renew(rejected: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** `--token` or FLOWFORGE_TOKEN: an API token (ffp_…) or an access token, sent as it is. */
export class StaticCredentials implements BearerCredentials {
  readonly description: string;

  constructor(
    private readonly value: string,
    readonly source: 'flag' | 'env',
  ) {
    const kind = value.startsWith('ffp_') ? 'API token' : 'access token';
    this.description = `${kind} from ${source === 'flag' ? '--token' : 'FLOWFORGE_TOKEN'}`;
  }

  async token(): Promise<string> {
    return this.value;
  }

  async renew(): Promise<undefined> {
    return undefined;
  }
}

/** Refresh this long before the stored expiry, so a token does not lapse between here and the gateway. */
export const EXPIRY_MARGIN_MS = 30_000;

export type Refresh = (refreshToken: string, signal?: AbortSignal) => Promise<TokenPair>;

/** The file's entry for a fresh token pair (login or refresh). */
export function credentialsFromPair(pair: TokenPair, now = Date.now()): StoredCredentials {
  return {
    username: pair.user.username,
    userId: pair.user.id,
    sessionId: pair.sessionId,
    accessToken: pair.accessToken,
    accessExpiresAt: new Date(now + pair.expiresIn * 1000).toISOString(),
    refreshToken: pair.refreshToken,
    refreshExpiresAt: new Date(now + pair.refreshExpiresIn * 1000).toISOString(),
    savedAt: new Date(now).toISOString(),
  };
}

/**
 * The sign-in `flowforge login` stored for this server. An access token past (or within 30 s of) its
 * expiry, or one the gateway called expired, is refreshed with POST /auth/refresh under the store's
 * lock, and the new pair stored before it is used: refresh tokens are single use. When another
 * command refreshed meanwhile, its pair is taken instead of refreshing again. A refused refresh
 * (expired, reused, session ended) deletes the stored sign-in and says to log in again.
 */
export class StoredSessionCredentials implements BearerCredentials {
  readonly source = 'stored';
  readonly description: string;

  constructor(
    private readonly store: CredentialStore,
    private readonly server: string,
    private current: StoredCredentials,
    private readonly refresh: Refresh,
    private readonly options: { now?: () => number; trace?: (line: string) => void } = {},
  ) {
    this.description = `sign-in of ${current.username} stored in ${store.file}`;
  }

  get username(): string {
    return this.current.username;
  }

  async token(signal?: AbortSignal): Promise<string> {
    if (!this.expiring(this.current)) return this.current.accessToken;
    this.options.trace?.(`the stored access token expired at ${this.current.accessExpiresAt}: refreshing it`);
    return this.refreshed(this.current.accessToken, signal);
  }

  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    this.options.trace?.('the gateway says the access token has expired: refreshing it');
    return this.refreshed(rejected, signal);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private expiring(c: StoredCredentials): boolean {
    return Date.parse(c.accessExpiresAt) - EXPIRY_MARGIN_MS <= this.now();
  }

  private async refreshed(stale: string, signal?: AbortSignal): Promise<string> {
    // A refused refresh is returned, not thrown, so that the transaction writes the deletion back.
    const outcome = await this.store.transaction(async (servers): Promise<StoredCredentials | AuthenticationFailure> => {
      const stored = servers[this.server];
      if (!stored) return this.ended('FF_CLI_SIGNED_OUT', 'you signed out meanwhile');
      // Another command refreshed since this one read the file: use its pair, do not spend the refresh token again.
      if (stored.accessToken !== stale && !this.expiring(stored)) return stored;
      if (Date.parse(stored.refreshExpiresAt) <= this.now()) {
        delete servers[this.server];
        return this.ended('FF_CLI_SESSION_ENDED', `the sign-in expired at ${stored.refreshExpiresAt}`);
      }
      let pair: TokenPair;
      try {
        pair = await this.refresh(stored.refreshToken, signal);
      } catch (err) {
        // Unreachable, 5xx: the pair may still be good; keep it and let the error say what happened.
        if (!(err instanceof ApiProblemError) || err.status !== 401) throw err;
        delete servers[this.server];
        return this.ended(err.code ?? 'FF_CLI_SESSION_ENDED', err.detail || err.title);
      }
      const next = credentialsFromPair(pair, this.now());
      servers[this.server] = next;
      return next;
    });
    if (outcome instanceof AuthenticationFailure) throw outcome;
    this.current = outcome;
    return outcome.accessToken;
  }

  private ended(code: string, why: string): AuthenticationFailure {
    return new AuthenticationFailure(code, `your sign-in to ${this.server} has ended (${code}: ${why})`, ['sign in again: flowforge login']);
  }
}
