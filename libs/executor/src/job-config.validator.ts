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
   * Validates a config object (the schema's defaults are filled in, in place): one problem per field and
   * reason, empty when valid. For callers that answer a person (a preview), not a dispatch.
   */
  check(jobType: JobType, config: unknown): { field: string; message: string }[] {
    const validate = this.validators.get(jobType.type);
    if (!validate) throw new Error(`job type "${jobType.type}" was not given to the validator`);
    if (validate(config)) return [];
    const seen = new Set<string>();
    return (validate.errors ?? []).map(describeProblem).filter((p) => {
      const key = `${p.field}\u0000${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
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
  const p = describeProblem(e);
  return `${p.field} ${p.message}`;
}

/** One ajv error as the field it is about and what is wrong with it. */
function describeProblem(e: ErrorObject): { field: string; message: string } {
  switch (e.keyword) {
    case 'required':
      return { field: fieldPath(e.instancePath, String((e.params as { missingProperty: string }).missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: fieldPath(e.instancePath, String((e.params as { additionalProperty: string }).additionalProperty)), message: 'is not allowed' };
    case 'enum':
      return {
        field: fieldPath(e.instancePath),
        message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'not': {
      // `{ not: {}, description: 'cannot be combined with path...' }`: a field forbidden in a combination says why.
      const why = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return { field: fieldPath(e.instancePath), message: typeof why === 'string' ? why : (e.message ?? 'is not allowed here') };
    }
    default:
      return { field: fieldPath(e.instancePath), message: e.message ?? `fails ${e.keyword}` };
  }
}
