import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ExecutorError, JobError } from './job.error';
import type { JobType } from './job-type';

/**
 * Validates dispatched configs against their job type's JSON Schema (draft 2020-12) before a job
 * runs, so a job never sees malformed input. Schemas are compiled once, at construction: a schema
 * that does not compile stops the executor at boot, not at the first dispatch.
 */
export class JobConfigValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(jobTypes: ReadonlyArray<JobType>) {
    // useDefaults: the job receives its config with the schema's defaults filled in.
    // strictTypes off: authors may write loose-but-valid schemas without warnings on stderr.
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strictSchema: true, strictTypes: false, strictTuples: false, verbose: true });
    addFormats(ajv);
    for (const jt of jobTypes) {
      try {
        this.validators.set(jt.type, ajv.compile(jt.configSchema));
      } catch (err) {
        throw new ExecutorError(
          'FF_EXECUTOR_SCHEMA_INVALID',
          `configSchema of job type "${jt.type}" v${jt.version} is not a valid JSON Schema 2020-12: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  /**
   * Parses and validates a config given as JSON text. Throws JobError FF_JOB_CONFIG_INVALID (not
   * retryable: the same config fails the same way) naming every offending field, never their values.
   */
  parse(jobType: JobType, configText: string): unknown {
    const validate = this.validators.get(jobType.type);
    if (!validate) throw new Error(`job type "${jobType.type}" was not given to the validator`);
    let config: unknown;
    try {
      config = JSON.parse(configText);
    } catch (err) {
      throw new JobError(
        'FF_JOB_CONFIG_INVALID',
        `config of job type "${jobType.type}" is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
        {
          retryable: false,
        },
      );
    }
    if (!validate(config)) {
      const problems = (validate.errors ?? []).map(describeError);
      throw new JobError('FF_JOB_CONFIG_INVALID', `config of job type "${jobType.type}" v${jobType.version} is invalid: ${[...new Set(problems)].join('; ')}`, {
        retryable: false,
      });
    }
    return config;
  }
}

/** `/source/paths/0` → `config.source.paths[0]`. */
export function fieldPath(instancePath: string, child?: string): string {
  let out = 'config';
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) segments.push(child);
  for (const raw of segments) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One ajv error as "<field> <problem>"; ajv messages describe the schema, never the (secret) value. */
function describeError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return `${fieldPath(e.instancePath, String((e.params as { missingProperty: string }).missingProperty))} is required`;
    case 'additionalProperties':
      return `${fieldPath(e.instancePath, String((e.params as { additionalProperty: string }).additionalProperty))} is not allowed`;
    case 'enum':
      return `${fieldPath(e.instancePath)} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not': {
      // `{ not: {}, description: 'cannot be combined with path...' }`: a field forbidden in a combination says why.
      const why = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return `${fieldPath(e.instancePath)} ${typeof why === 'string' ? why : (e.message ?? 'is not allowed here')}`;
    }
    default:
      return `${fieldPath(e.instancePath)} ${e.message ?? `fails ${e.keyword}`}`;
  }
}
