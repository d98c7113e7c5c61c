import { InvalidArgumentError, Option, type Command } from 'commander';
import { AUDIT_OUTCOMES, type AuditFilters } from '../api/api.types';

/** The filter flags as commander keeps them: camelCase of the flag names, which are the API's filter names. */
export type AuditFilterOptions = AuditFilters;

const RELATIVE = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * commander parser for --since/--until: a date (`2026-01-31`, midnight UTC), a date-time with or
 * without an offset (`2026-01-31T10:00`, taken as UTC), or a time ago (`15m`, `24h`, `7d`); sent as
 * ISO 8601 in UTC, which is what the API takes.
 */
export function timeArg(now: () => number = Date.now): (value: string) => string {
  return (value) => {
    const relative = RELATIVE.exec(value);
    if (relative) return new Date(now() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
    const iso = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$/.exec(value);
    const at = iso ? Date.parse(iso[1] && !iso[4] ? `${value}Z` : value) : Number.NaN;
    if (Number.isNaN(at)) throw new InvalidArgumentError('expected a date (2026-01-31), a date-time (2026-01-31T10:00:00Z) or a time ago (15m, 24h, 7d)');
    return new Date(at).toISOString();
  };
}

/** The filters `audit search` and `audit export` share, as the API names them. */
export function addAuditFilters(command: Command): Command {
  return command
    .option('--actor <who>', 'user id, token id or username')
    .option('--action <action>', 'e.g. workflow:edit, or a prefix ending in * (auth:*)')
    .option('--resource-type <type>', 'e.g. workflow, user, token')
    .option('--resource-id <id>', 'one resource')
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(AUDIT_OUTCOMES))
    .option('--since <time>', 'from this time on (2026-01-31, 2026-01-31T10:00:00Z, or 24h / 7d ago)', timeArg())
    .option('--until <time>', 'before this time (same forms as --since)', timeArg());
}

export function filtersOf(o: AuditFilterOptions): AuditFilters {
  return { actor: o.actor, action: o.action, resourceType: o.resourceType, resourceId: o.resourceId, outcome: o.outcome, since: o.since, until: o.until };
}
