/** Every problem found in the environment at once, so one restart fixes them all. */
export class ConfigError extends Error {
  readonly code = 'FF_CONFIG';
  /** Each line starts with "FF_CONFIG: <VARIABLE> ...". */
  readonly issues: readonly string[];

  constructor(issues: string[]) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** sysexits.h EX_CONFIG: "something was found in an unconfigured or misconfigured state". */
export const EXIT_CONFIG = 78;
