import { PARAM_NAME_PATTERN } from '@flowforge/workflow';
import { UsageError } from './cli.errors';

/**
 * `--param name=value`, repeated, into the run's parameters. The value is everything after the first
 * `=` (so `--param filter=a=b` gives `a=b`), kept as text: the workflow's declared types convert it on
 * the server (`resolveParameters`), which names a value that does not fit. A malformed pair, a name
 * that cannot be a parameter or a name given twice is a usage error before anything is sent.
 */
export function parseRunParams(pairs: readonly string[]): Record<string, string> {
  const params = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new UsageError(`--param "${pair}" must be name=value`);
    const name = pair.slice(0, eq);
    if (name === '') throw new UsageError(`--param "${pair}" has no name before "="; write name=value`);
    if (!PARAM_NAME_PATTERN.test(name)) {
      throw new UsageError(`--param "${pair}": "${name}" is not a parameter name (letters, digits and "_", not starting with a digit, at most 63)`);
    }
    if (params.has(name)) throw new UsageError(`--param ${name} is given twice`);
    params.set(name, pair.slice(eq + 1));
  }
  // fromEntries defines own properties: a parameter named __proto__ stays a parameter.
  return Object.fromEntries(params);
}

/** commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
