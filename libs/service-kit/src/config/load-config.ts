import type { ConfigOf, ConfigVariables } from './config-variable';
import { ConfigError } from './config.error';

export type Env = Record<string, string | undefined>;

function shown(value: string | undefined, sensitive: boolean): string {
  if (value === undefined || value.trim() === '') return 'it is not set';
  if (sensitive) return 'got a value that is not shown because the variable is sensitive';
  const clipped = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `got ${JSON.stringify(clipped)}`;
}

/**
 * Parses `env` against `variables`. Collects every error (never stops at the first) and throws one
 * ConfigError whose lines name the variable and the expected form; sensitive values are never echoed.
 */
export function loadConfig<V extends ConfigVariables>(variables: V, environment: Env = process.env): ConfigOf<V> {
  const issues: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const raw = environment[name];
    const parsed = variable.schema.safeParse(raw);
    if (!parsed.success) {
      issues.push(`FF_CONFIG: ${name} must be ${variable.expected} (${shown(raw, variable.sensitive)})`);
      continue;
    }
    const problem = variable.check?.(parsed.data);
    if (problem) {
      issues.push(`FF_CONFIG: ${problem}`);
      continue;
    }
    out[name] = parsed.data;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as ConfigOf<V>;
}

/** The config as it may be logged: sensitive values replaced, so a boot log never leaks a secret. */
export function describeConfig<V extends ConfigVariables>(variables: V, config: ConfigOf<V>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const value = (config as Record<string, unknown>)[name];
    out[name] = variable.sensitive && value !== undefined ? '[sensitive]' : value;
  }
  return out;
}
