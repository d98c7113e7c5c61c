import { FlowForgeError, NotFoundProblem } from '@flowforge/service-kit';
import { formatIssue, type WorkflowValidationCode, WorkflowValidationError } from '@flowforge/workflow';

const TITLES: Record<WorkflowValidationCode, string> = {
  FF_WORKFLOW_INVALID: 'Workflow is invalid',
  FF_JOB_INVALID: 'Job is invalid',
  FF_YAML_INVALID: 'YAML document is invalid',
  FF_PARAMS_INVALID: 'Run parameters are invalid',
  FF_STEP_PARAMS_UNRESOLVED: 'Step parameters cannot be resolved',
};

/**
 * A WorkflowValidationError as a 400 problem: the detail lists every issue with its line (YAML) and
 * step, `errors` names each field, so one edit fixes the whole document.
 */
export function validationProblem(err: WorkflowValidationError): FlowForgeError {
  return new FlowForgeError(
    err.code,
    400,
    TITLES[err.code],
    err.issues.map(formatIssue).join('; '),
    err.issues.map((i) => ({ field: i.path === '' ? '(document)' : i.path, message: formatIssue(i) })),
  );
}

/** Runs `fn`, turning the model's validation errors into problems. */
export async function asProblem<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowValidationError) throw validationProblem(err);
    throw err;
  }
}

export const jobNotFound = (name: string, version?: number): NotFoundProblem =>
  new NotFoundProblem('FF_JOB_NOT_FOUND', version === undefined ? `job "${name}" does not exist` : `job "${name}" has no version ${version}`);

export const workflowNotFound = (name: string, version?: number): NotFoundProblem =>
  new NotFoundProblem('FF_WORKFLOW_NOT_FOUND', version === undefined ? `workflow "${name}" does not exist` : `workflow "${name}" has no version ${version}`);

/** The body names a different job/workflow than the URL. */
export const nameMismatch = (kind: 'job' | 'workflow', inPath: string, inBody: unknown): FlowForgeError =>
  new FlowForgeError(
    'FF_NAME_MISMATCH',
    400,
    'Name mismatch',
    `the URL names ${kind} "${inPath}" but the body's name is ${JSON.stringify(inBody)}; leave name out of the body or make them equal`,
    [{ field: 'name', message: `must be "${inPath}" (the name in the URL)` }],
  );

/** `apply` and `export` are routes under /workflows, so they cannot be workflow names. */
export const RESERVED_WORKFLOW_NAMES: ReadonlySet<string> = new Set(['apply', 'export']);

export const reservedName = (name: string): FlowForgeError =>
  new FlowForgeError(
    'FF_WORKFLOW_NAME_RESERVED',
    400,
    'Workflow name is reserved',
    `workflow name "${name}" is reserved (it is a route under /workflows); choose another name`,
    [{ field: 'name', message: `"${name}" is reserved` }],
  );

/** The active runs a refusal names, at most `shown` of them ("…" when there are more). */
function runList(ids: string[], shown = 5): string {
  return ids.slice(0, shown).join(', ') + (ids.length > shown ? ', …' : '');
}

export const workflowHasActiveRuns = (name: string, runIds: string[]): FlowForgeError =>
  new FlowForgeError(
    'FF_WORKFLOW_IN_USE',
    409,
    'Workflow has active runs',
    `workflow "${name}" has queued or running runs (${runList(runIds)}); cancel them or wait until they finish, then delete it`,
  );

export const jobUsedByWorkflows = (name: string, workflows: string[]): FlowForgeError =>
  new FlowForgeError(
    'FF_JOB_IN_USE',
    409,
    'Job is used by workflows',
    `job "${name}" is used by the current version of workflow${workflows.length > 1 ? 's' : ''} ${workflows.map((w) => `"${w}"`).join(', ')}; remove its steps from them (or delete them) first`,
  );

export const jobHasActiveRuns = (name: string, runIds: string[]): FlowForgeError =>
  new FlowForgeError(
    'FF_JOB_IN_USE',
    409,
    'Job is used by active runs',
    `job "${name}" is used by queued or running runs (${runList(runIds)}); cancel them or wait until they finish, then delete it`,
  );
