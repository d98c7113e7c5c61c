import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { AuditTrail, type AuditEntryInput } from '@flowforge/service-kit';

export type AuditInput = AuditEntryInput;

/**
 * The auth service's own audit entries (logins, logouts, user and role changes), published as
 * audit.recorded like every other service's (through the kit's AuditTrail): in the caller's
 * transaction when there is one, so the entry exists exactly when the change does.
 */
@Injectable()
export class AuditEmitter {
  constructor(private readonly trail: AuditTrail) {}

  record(input: AuditInput, tx?: Queryable): Promise<void> {
    return this.trail.record(input, tx);
  }
}
