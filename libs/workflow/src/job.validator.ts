import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { closestName } from './closest.name';
import {
  describeValue,
  formatPath,
  isRecord,
  IssueList,
  readMapping,
  readString,
  rejectUnknownKeys,
  Scope,
  toValidationIssue,
  type SpecPath,
} from './spec.reader';
import { NAME_HINT } from './step.reader';
import { WorkflowValidationError } from './workflow.errors';
import { JOB_TYPE_PATTERN, NAME_PATTERN, type JobContext, type JobSpec } from './workflow.model';

const JOB_KEYS = ['name', 'type', 'description', 'config'] as const;
const JOB_TYPE_HINT = 'use lower-case words of letters, digits, "_" and "-" joined by ".", e.g. "ingest.file"';

/**
 * Validates a job: name, type and, when ctx knows the type's JSON Schema (announced by its executor
 * in executor.registered), the config against it. Throws FF_JOB_INVALID listing every issue.
 */
export function validateJob(input: unknown, ctx: JobContext = {}): JobSpec {
  const issues = new IssueList();
  const spec = checkJob(input, ctx, issues);
  if (issues.size > 0 || spec === undefined) throw new WorkflowValidationError('FF_JOB_INVALID', issues.items.map(toValidationIssue));
  return spec;
}

export function checkJob(input: unknown, ctx: JobContext, issues: IssueList): JobSpec | undefined {
  const scope = new Scope(issues, []);
  if (!isRecord(input)) {
    scope.report([], `a job must be a mapping with name and type (got ${describeValue(input)})`);
    return undefined;
  }
  rejectUnknownKeys(input, JOB_KEYS, scope);
  const name = readString(input, 'name', scope, { required: true, pattern: NAME_PATTERN, hint: NAME_HINT });
  const type = readString(input, 'type', scope, { required: true, pattern: JOB_TYPE_PATTERN, hint: JOB_TYPE_HINT });
  const description = readString(input, 'description', scope, { maxLength: 4000 });
  const config = readMapping(input, 'config', scope) ?? {};
  if (type !== undefined && ctx.jobConfigSchema) checkConfig(type, config, ctx.jobConfigSchema.bind(ctx), scope);
  if (name === undefined || type === undefined) return undefined;
  return { name, type, ...(description !== undefined && { description }), config };
}

function checkConfig(type: string, config: Record<string, unknown>, schemaOf: NonNullable<JobContext['jobConfigSchema']>, scope: Scope): void {
  const schema = schemaOf(type);
  if (schema === undefined) {
    scope.report(['type'], `unknown job type "${type}" (no executor has announced it)`);
    return;
  }
  let validate: ValidateFunction;
  try {
    validate = compiled(schema);
  } catch (err) {
    scope.report(['type'], `job type "${type}" has a config schema that cannot be compiled: ${(err as Error).message}`);
    return;
  }
  if (validate(config)) return;
  for (const error of validate.errors ?? []) {
    const { path, message, atKey } = describeSchemaError(error);
    scope.report(['config', ...path], message, atKey);
  }
}

/** Ajv's error -> a path under `config` and a message naming the field, e.g. `config.path must be string`. */
function describeSchemaError(error: ErrorObject): { path: SpecPath; message: string; atKey: boolean } {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  const label = formatPath(['config', ...path]);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path, message: `${label} is missing required property "${params.missingProperty}"`, atKey: false };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    const extra = params.additionalProperty;
    const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
    const hint = closestName(extra, Object.keys(parent?.properties ?? {}));
    return {
      path: [...path, extra],
      message: `${label} has unknown property "${extra}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
      atKey: true,
    };
  }
  // A schema that forbids a field in some combination (`{ not: {}, description: 'cannot be combined with path...' }`) says why in its description.
  const why = (error.parentSchema as { description?: unknown } | undefined)?.description;
  if (error.keyword === 'not' && typeof why === 'string') return { path, message: `${label} ${why}`, atKey: false };
  const allowed = error.keyword === 'enum' && Array.isArray(params.allowedValues) ? `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { path, message: `${label} ${error.message ?? 'is not valid'}${allowed}`, atKey: false };
}

// One Ajv for the process, made on first use (importing the model should not pay for it). Compiled
// validators are cached by schema text; Ajv's own cache is keyed by schema object, which would grow with
// every fresh object a caller passes, so it is emptied after compiling.
let ajv: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 256;

function compiled(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) return hit;
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
    addFormats(ajv);
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } finally {
    ajv.removeSchema(schema);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, validate);
  return validate;
}
