import type { RedshiftConfig } from '../connection-types';
import { probePgWire, type PgWireFlavour } from './postgres.tester';
import type { ProbeOutcome } from './probe-outcome';

/**
 * Amazon Redshift speaks the PostgreSQL protocol: `version()` answers e.g. "PostgreSQL 8.0.2 on i686-pc-linux-gnu,
 * … Redshift 1.0.77467"; the message shows the Redshift release, or what the server said when it is not one.
 */
export const REDSHIFT_FLAVOUR: PgWireFlavour = {
  what: 'Amazon Redshift',
  versionSql: 'SELECT 1 AS ok, version() AS version',
  version: (raw) => /\bRedshift (\S+)/.exec(raw)?.[1] ?? `(the server reports ${raw.split(' on ')[0] || 'no version'})`,
};

/** Connects with the PostgreSQL driver (the postgres probe, guard included), runs `SELECT 1, version()`, disconnects. */
export function probeRedshift(c: RedshiftConfig): Promise<ProbeOutcome> {
  return probePgWire(c, REDSHIFT_FLAVOUR);
}
