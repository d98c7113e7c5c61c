import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { withTransaction } from '@flowforge/db';
import { serviceConfigToken } from '@flowforge/service-kit';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { Pool, PoolClient } from 'pg';
import type { AuthConfig } from '../auth.config';
import { AUTH_POOL } from '../auth.database';

const ALG = 'ES256';
/** Serialises the first start's key creation between replicas. */
const KEY_LOCK = 'ff_auth.signing_keys';
const RELOAD_MS = 60_000;

interface KeyRow extends Record<string, unknown> {
  kid: string;
  public_jwk: JWK;
  private_jwk: JWK;
  retired_at: Date | null;
}

/** What jose signs with (a CryptoKey; the DOM lib that names it is not in this project's types). */
type SigningKey = Parameters<SignJWT['sign']>[0];

export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  preferred_username: string;
  roles: string[];
}

/**
 * The built-in issuer's ES256 keys. The newest unretired key signs; every key still in the table is
 * published in the JWKS, so a gateway that cached the old set follows a rotation by refetching on an
 * unknown `kid` (jose's remote JWKS does). Keys are stored in ff_auth like Keycloak stores realm keys
 * in its database: whoever reads ff_auth can mint tokens, so the schema's access must be guarded.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnApplicationShutdown {
  private active?: { kid: string; key: SigningKey };
  private published: JWK[] = [];
  private reloader?: NodeJS.Timeout;

  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('auth')) private readonly config: AuthConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [KEY_LOCK]);
      const { rowCount } = await tx.query(`SELECT 1 FROM ff_auth.signing_keys WHERE retired_at IS NULL`);
      if (rowCount === 0) await this.create(tx);
    });
    await this.load();
    // Another replica may rotate: pick its key up within a minute (retired keys stay published for
    // twice the access-token lifetime, so tokens this replica signed meanwhile stay verifiable).
    this.reloader = setInterval(() => void this.load().catch(() => undefined), RELOAD_MS);
    this.reloader.unref();
  }

  onApplicationShutdown(): void {
    if (this.reloader) clearInterval(this.reloader);
  }

  /** Makes a new key the signing key; the previous ones stay published (their tokens remain valid until they expire). */
  async rotate(): Promise<string> {
    const kid = await withTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [KEY_LOCK]);
      await tx.query(`UPDATE ff_auth.signing_keys SET retired_at = now() WHERE retired_at IS NULL`);
      return this.create(tx);
    });
    await this.load();
    return kid;
  }

  private async create(tx: PoolClient): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const pub = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const priv = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    await tx.query(`INSERT INTO ff_auth.signing_keys (kid, alg, public_jwk, private_jwk) VALUES ($1, $2, $3, $4)`, [kid, ALG, pub, priv]);
    return kid;
  }

  private async load(): Promise<void> {
    // Retired keys are dropped from the JWKS once no token they signed can still be valid.
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT kid, public_jwk, private_jwk, retired_at FROM ff_auth.signing_keys
        WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
        ORDER BY created_at DESC`,
      [this.config.FLOWFORGE_AUTH_ACCESS_TOKEN_SECONDS * 2],
    );
    const current = rows.find((r) => r.retired_at === null);
    if (!current) throw new Error('FF_AUTH_NO_SIGNING_KEY: ff_auth.signing_keys has no active key');
    this.active = { kid: current.kid, key: (await importJWK(current.private_jwk, ALG)) as SigningKey };
    this.published = rows.map((r) => r.public_jwk);
  }

  get issuer(): string {
    return this.config.FLOWFORGE_AUTH_ISSUER;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  async signAccessToken(claims: Omit<AccessClaims, 'iss' | 'aud' | 'iat' | 'exp' | 'jti'>): Promise<{ token: string; expiresIn: number }> {
    if (!this.active) throw new Error('FF_AUTH_NO_SIGNING_KEY: signing keys not loaded');
    const expiresIn = this.config.FLOWFORGE_AUTH_ACCESS_TOKEN_SECONDS;
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ALG, kid: this.active.kid, typ: 'JWT' })
      .setIssuer(this.config.FLOWFORGE_AUTH_ISSUER)
      .setAudience(this.config.FLOWFORGE_AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .setJti(randomUUID())
      .sign(this.active.key);
    return { token, expiresIn };
  }
}
