import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { withTransaction } from '@flowforge/db';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { AuthConfig } from '../auth.config';
import { AUTH_POOL } from '../auth.database';
import { UsersService } from './users.service';

const SYSTEM = { type: 'system', id: 'auth', name: 'auth (first start)', userId: null, sessionId: null, ip: null, userAgent: null } as const;

/** 24 characters from four classes: meets any sane password policy, readable once from a terminal. */
export function generateInitialPassword(): string {
  const bytes = randomBytes(18).toString('base64url');
  return `${bytes}-Aa1`;
}

/**
 * The first start creates an admin, so the embedded default is locked down without Keycloak. The
 * password comes from FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD, or is generated, printed once to the
 * terminal (never logged as a field, never stored in clear) and must be changed at first login.
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('auth')) private readonly config: AuthConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // One replica creates the admin; the others find it there.
    const created = await withTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('ff_auth.bootstrap_admin'))`);
      const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ff_auth.users`);
      if (Number(rows[0]!.n) > 0) return null;
      const given = this.config.FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD;
      const password = given || generateInitialPassword();
      await this.users.createInTx(
        tx,
        { username: this.config.FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME, password, roles: ['admin'], mustChangePassword: !given },
        SYSTEM,
      );
      return given ? '' : password;
    });
    if (created === null) return;
    const username = this.config.FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME;
    if (created === '') {
      this.logger.info({ username }, `first start: admin account "${username}" created with the password from FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD`);
      return;
    }
    this.logger.info({ username }, `first start: admin account "${username}" created; its one-time password is printed on the terminal once`);
    process.stdout.write(
      `\n  FlowForge first start: sign in as "${username}" with the one-time password\n\n      ${created}\n\n` +
        `  It is shown only now and must be changed at first sign-in.\n\n`,
    );
  }
}
