import { commonConfigVariables, type CommonConfig, type SERVICE_PORTS } from '../config/common-config';
import type { ConfigVariables } from '../config/config-variable';
import { loadConfig, type Env } from '../config/load-config';
import { ConfigError } from '../config/config.error';
import type { ServiceDefinition } from './service-definition';

export interface HostConfig {
  common: CommonConfig;
  /** Each service's extension config, by service name. */
  services: Record<string, unknown>;
  /** The host's own extra variables (e.g. the embedded PostgreSQL port). */
  extra: Record<string, unknown>;
}

export interface LoadHostConfigOptions {
  host: keyof typeof SERVICE_PORTS;
  services: ServiceDefinition[];
  extraVariables?: ConfigVariables;
  env?: Env;
  /** Standalone services have no PostgreSQL of their own to start. */
  requireDatabaseUrl?: boolean;
}

/** Validates everything the host and its modules read, all errors at once (ConfigError). */
export function loadHostConfig(opts: LoadHostConfigOptions): HostConfig {
  const env = opts.env ?? process.env;
  const issues: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ConfigError) issues.push(...err.issues);
      else throw err;
      return undefined;
    }
  };
  const common = attempt(() => loadConfig(commonConfigVariables(opts.host), env));
  if (common && opts.requireDatabaseUrl && !common.DATABASE_URL) {
    issues.push(
      'FF_CONFIG: DATABASE_URL must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@localhost:5432/flowforge (it is not set; only the embedded host starts its own PostgreSQL)',
    );
  }
  const services: Record<string, unknown> = {};
  for (const def of opts.services) {
    services[def.service] = attempt(() => loadConfig(def.config ?? {}, env)) ?? {};
  }
  const extra = attempt(() => loadConfig(opts.extraVariables ?? {}, env)) ?? {};
  if (issues.length > 0) throw new ConfigError([...new Set(issues)]);
  return { common: common!, services, extra };
}
