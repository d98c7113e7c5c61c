import type { ConnectionConfigOf, ConnectionType } from '../connection-types';
import type { LocalPathPolicy } from '@flowforge/connectors';
import { probeHttp } from './http.tester';
import { probeKafka } from './kafka.tester';
import { probeLocal } from './local.tester';
import { probeMysql } from './mysql.tester';
import { probePostgres } from './postgres.tester';
import type { ProbeOutcome } from './probe-outcome';
import { probeS3 } from './s3.tester';
import { probeSftp } from './sftp.tester';
import { probeLocation } from './location.tester';
import { probeRedshift } from './redshift.tester';
import { probeSynapse } from './synapse.tester';
import { probeSnowflake } from './snowflake.tester';
import { probeBigQuery } from './bigquery.tester';

export interface ProbeContext {
  /** Where local connections may point. */
  localPaths: LocalPathPolicy;
}

/**
 * Picks the probe of a connection type. `config` is the full config (secrets included), already validated.
 * Every probe with a host passes the outbound address guard (network-guard.ts) before connecting.
 */
export function probeConnection<T extends ConnectionType>(type: T, config: ConnectionConfigOf<T>, ctx: ProbeContext): Promise<ProbeOutcome> {
  const c = config as ConnectionConfigOf<ConnectionType>;
  switch (type as ConnectionType) {
    case 'postgres':
      return probePostgres(c as ConnectionConfigOf<'postgres'>);
    case 'mysql':
      return probeMysql(c as ConnectionConfigOf<'mysql'>);
    case 's3':
      return probeS3(c as ConnectionConfigOf<'s3'>);
    case 'local':
      return probeLocal(c as ConnectionConfigOf<'local'>, ctx.localPaths);
    case 'http':
      return probeHttp(c as ConnectionConfigOf<'http'>);
    case 'kafka':
      return probeKafka(c as ConnectionConfigOf<'kafka'>);
    case 'sftp':
      return probeSftp(c as ConnectionConfigOf<'sftp'>);
    case 'gcs': {
      const g = c as ConnectionConfigOf<'gcs'>;
      return probeLocation('gcs', g, { localPolicy: ctx.localPaths }, `GCS bucket "${g.bucket}"`);
    }
    case 'azure': {
      const a = c as ConnectionConfigOf<'azure'>;
      return probeLocation('azure', a, { localPolicy: ctx.localPaths }, `Azure container "${a.container}" of account "${a.account}"`);
    }
    case 'ftp': {
      const f = c as ConnectionConfigOf<'ftp'>;
      return probeLocation('ftp', f, { localPolicy: ctx.localPaths }, `FTP${f.secure ? 'S' : ''} server at ${f.host}:${f.port}`);
    }
    case 'smb': {
      const m = c as ConnectionConfigOf<'smb'>;
      return probeLocation('smb', m, { localPolicy: ctx.localPaths }, `SMB share "${m.share}" at ${m.host}:${m.port}`);
    }
    case 'redshift':
      return probeRedshift(c as ConnectionConfigOf<'redshift'>);
    case 'synapse':
      return probeSynapse(c as ConnectionConfigOf<'synapse'>);
    // Paid SaaS: config checks and reachability only, the message says so (snowflake.tester.ts, bigquery.tester.ts).
    case 'snowflake':
      return probeSnowflake(c as ConnectionConfigOf<'snowflake'>);
    case 'bigquery':
      return probeBigQuery(c as ConnectionConfigOf<'bigquery'>);
  }
}
