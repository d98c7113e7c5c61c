import { Inject, Injectable } from '@nestjs/common';
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, otpauthUri, verifyTotp, type Actor } from '@flowforge/access';
import { withTransaction } from '@flowforge/db';
import type { Pool } from 'pg';
import { BadRequestProblem, ConflictProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';
import { UsersService } from './users.service';

/**
 * TOTP (RFC 6238) for local accounts. Enrolment stores a pending secret; it counts only once the user
 * proves their app has it by confirming a code, which also hands out ten single-use recovery codes
 * (shown once, stored as sha256).
 */
@Injectable()
export class MfaService {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    private readonly users: UsersService,
    private readonly audit: AuditEmitter,
  ) {}

  async begin(userId: string): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.users.row(userId);
    if (user.totp_enabled)
      throw new ConflictProblem('FF_MFA_ALREADY_ENABLED', 'two-factor authentication is already on; turn it off first to enrol a new device');
    const secret = generateTotpSecret();
    await this.pool.query(`UPDATE ff_auth.users SET totp_secret = $2, totp_last_counter = NULL WHERE id = $1`, [userId, secret]);
    return { secret, otpauthUri: otpauthUri(secret, user.username.replace(/:/g, '_')) };
  }

  async confirm(userId: string, code: string, actor: Actor): Promise<{ recoveryCodes: string[] }> {
    const user = await this.users.row(userId);
    if (user.totp_enabled) throw new ConflictProblem('FF_MFA_ALREADY_ENABLED', 'two-factor authentication is already on');
    if (!user.totp_secret) throw new ConflictProblem('FF_MFA_NOT_ENROLLING', 'start the enrolment first (POST /api/v1/auth/mfa/totp)');
    const result = verifyTotp(user.totp_secret, code, { atMs: Date.now() });
    if (!result.ok) throw new BadRequestProblem('FF_MFA_CODE_INVALID', 'the code is wrong or expired: type the current code from your authenticator app');
    const codes = generateRecoveryCodes(10);
    await withTransaction(this.pool, async (tx) => {
      await tx.query(`UPDATE ff_auth.users SET totp_enabled = true, totp_last_counter = $2, updated_at = now() WHERE id = $1`, [userId, result.counter]);
      await tx.query(`DELETE FROM ff_auth.recovery_codes WHERE user_id = $1`, [userId]);
      for (const c of codes) await tx.query(`INSERT INTO ff_auth.recovery_codes (user_id, code_hash) VALUES ($1, $2)`, [userId, hashRecoveryCode(c)]);
      await this.audit.record({ actor, action: 'auth:mfa-enable', resourceType: 'user', resourceId: userId, outcome: 'success' }, tx);
    });
    return { recoveryCodes: codes };
  }

  async disable(userId: string, code: string, actor: Actor): Promise<void> {
    const user = await this.users.row(userId);
    if (!user.totp_enabled || !user.totp_secret) throw new ConflictProblem('FF_MFA_NOT_ENABLED', 'two-factor authentication is not on');
    const last = user.totp_last_counter === null ? undefined : Number(user.totp_last_counter);
    if (!verifyTotp(user.totp_secret, code, { atMs: Date.now(), lastUsedCounter: last }).ok) {
      throw new BadRequestProblem('FF_MFA_CODE_INVALID', 'the code is wrong or expired: type the current code from your authenticator app');
    }
    await withTransaction(this.pool, async (tx) => {
      await tx.query(`UPDATE ff_auth.users SET totp_enabled = false, totp_secret = NULL, totp_last_counter = NULL, updated_at = now() WHERE id = $1`, [userId]);
      await tx.query(`DELETE FROM ff_auth.recovery_codes WHERE user_id = $1`, [userId]);
      await this.audit.record({ actor, action: 'auth:mfa-disable', resourceType: 'user', resourceId: userId, outcome: 'success' }, tx);
    });
  }
}
