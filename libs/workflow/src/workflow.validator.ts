import { closestName } from './closest.name';
import { expectedParamValue, isParamValue } from './run.parameters';
import {
  checkString,
  describeValue,
  isRecord,
  IssueList,
  readBoolean,
  readEnum,
  readList,
  readMapping,
  readNumber,
  readString,
  rejectUnknownKeys,
  Scope,
  toValidationIssue,
} from './spec.reader';
import { templateRefs } from './step-params.template';
import { cycleMessage, findCycles, upstreamClosure } from './step.graph';
import { NAME_HINT, readStep } from './step.reader';
import { WorkflowValidationError } from './workflow.errors';
import {
  DEFAULT_OVERLAP,
  MAX_DURATION_MS,
  NAME_PATTERN,
  OverlapPolicies,
  PARAM_NAME_PATTERN,
  ParamTypes,
  type ParameterSpec,
  type StepSpec,
  type WorkflowContext,
  type WorkflowSpec,
} from './workflow.model';

const WORKFLOW_KEYS = ['name', 'description', 'tags', 'parameters', 'steps', 'concurrency', 'timeoutMs'] as const;
const PARAMETER_KEYS = ['name', 'type', 'default', 'required', 'description'] as const;
const CONCURRENCY_KEYS = ['maxRuns', 'overlap'] as const;
const PARAM_NAME_HINT = 'use letters, digits and "_", not starting with a digit, at most 63 characters';
const MAX_DESCRIPTION = 4000;

/**
 * Normalises a workflow (defaults filled, keys in a fixed order) and validates it, structure and
 * meaning: ids, duplicates, dependencies, cycles, jobs (via ctx), parameter defaults, `${...}`
 * references, ranges. Throws FF_WORKFLOW_INVALID listing every issue.
 */
export function validateWorkflow(input: unknown, ctx: WorkflowContext = {}): WorkflowSpec {
  const issues = new IssueList();
  const spec = checkWorkflow(input, ctx, issues);
  if (issues.size > 0 || spec === undefined) {
    throw new WorkflowValidationError('FF_WORKFLOW_INVALID', issues.items.map(toValidationIssue));
  }
  return spec;
}

/** The collecting form, for callers that map issue paths themselves (YAML documents). */
export function checkWorkflow(input: unknown, ctx: WorkflowContext, issues: IssueList): WorkflowSpec | undefined {
  const scope = new Scope(issues, []);
  if (!isRecord(input)) {
    scope.report([], `a workflow must be a mapping with name and steps (got ${describeValue(input)})`);
    return undefined;
  }
  rejectUnknownKeys(input, WORKFLOW_KEYS, scope);
  const name = readString(input, 'name', scope, { required: true, pattern: NAME_PATTERN, hint: NAME_HINT });
  const description = readString(input, 'description', scope, { maxLength: MAX_DESCRIPTION });
  const tags = readTags(input, scope);
  const parameters = readParameters(input, scope);
  const concurrency = readConcurrency(input, scope);
  const timeoutMs = readNumber(input, 'timeoutMs', scope, { integer: true, min: 1, max: MAX_DURATION_MS });
  const steps = readSteps(input, scope);
  checkStepGraph(steps, scope);
  checkReferences(steps, parameters);
  if (ctx.jobExists) checkJobs(steps, ctx.jobExists.bind(ctx));

  if (name === undefined) return undefined;
  return {
    name,
    ...(description !== undefined && { description }),
    ...(tags !== undefined && { tags }),
    parameters,
    steps: steps.map((s) => s.spec),
    concurrency,
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
}

function readTags(input: Record<string, unknown>, scope: Scope): string[] | undefined {
  const list = readList(input, 'tags', scope);
  if (list === undefined) return undefined;
  const tags: string[] = [];
  list.forEach((tag, i) => {
    const problem = checkString(tag, `tags[${i}]`, { nonEmpty: true, maxLength: 64 });
    if (problem !== null) scope.report(['tags', i], problem);
    else if (tags.includes(tag as string)) scope.report(['tags', i], `tags lists "${tag as string}" twice`);
    else tags.push(tag as string);
  });
  return tags;
}

function readParameters(input: Record<string, unknown>, scope: Scope): ParameterSpec[] {
  const list = readList(input, 'parameters', scope) ?? [];
  const out: ParameterSpec[] = [];
  list.forEach((raw, i) => {
    const anonymous = new Scope(scope.issues, ['parameters', i], '', `parameters[${i}].`);
    if (!isRecord(raw)) {
      anonymous.report([], `parameters[${i}] must be a mapping with name and type (got ${describeValue(raw)})`);
      return;
    }
    const name = readString(raw, 'name', anonymous, { required: true, pattern: PARAM_NAME_PATTERN, hint: PARAM_NAME_HINT });
    const param = name === undefined ? anonymous : new Scope(scope.issues, ['parameters', i], `parameter "${name}": `);
    rejectUnknownKeys(raw, PARAMETER_KEYS, param);
    const type = readEnum(raw, 'type', param, ParamTypes, { required: true });
    const required = readBoolean(raw, 'required', param);
    const description = readString(raw, 'description', param, { maxLength: MAX_DESCRIPTION });
    // `default:` left empty (null) means no default, as for every other optional field.
    const value = raw.default === null ? undefined : raw.default;
    if (value !== undefined && type !== undefined && !isParamValue(type, value)) {
      param.report(['default'], `default must be ${expectedParamValue(type)} like its type (got ${describeValue(value)})`);
    }
    if (required && value !== undefined) {
      param.report(['required'], 'required: true and a default contradict each other (the default would never be used); remove one');
    }
    if (name !== undefined && out.some((p) => p.name === name)) {
      param.report(['name'], `parameter "${name}" is declared twice`);
      return;
    }
    if (name === undefined || type === undefined) return;
    out.push({
      name,
      type,
      ...(value !== undefined && { default: value }),
      ...(required === true && { required }),
      ...(description !== undefined && { description }),
    });
  });
  return out;
}

function readConcurrency(input: Record<string, unknown>, scope: Scope): WorkflowSpec['concurrency'] {
  const raw = readMapping(input, 'concurrency', scope);
  if (raw === undefined) return { overlap: DEFAULT_OVERLAP };
  const nested = scope.nested('concurrency', 'concurrency.');
  rejectUnknownKeys(raw, CONCURRENCY_KEYS, nested);
  const maxRuns = readNumber(raw, 'maxRuns', nested, { integer: true, min: 1, max: 10_000 });
  const overlap = readEnum(raw, 'overlap', nested, OverlapPolicies) ?? DEFAULT_OVERLAP;
  return { ...(maxRuns !== undefined && { maxRuns }), overlap };
}

interface ReadStep {
  index: number;
  spec: StepSpec;
  scope: Scope;
}

function readSteps(input: Record<string, unknown>, scope: Scope): ReadStep[] {
  const list = readList(input, 'steps', scope, { required: true });
  if (list === undefined) return [];
  if (list.length === 0) scope.report(['steps'], 'steps must list at least one step');
  const steps: ReadStep[] = [];
  list.forEach((raw, index) => {
    const spec = readStep(raw, index, scope);
    if (spec === undefined) return;
    const stepScope = new Scope(scope.issues, ['steps', index], '', '', spec.id);
    const first = steps.find((s) => s.spec.id === spec.id);
    if (first) stepScope.report(['id'], `id "${spec.id}" is already used by steps[${first.index}]`);
    else steps.push({ index, spec, scope: stepScope });
  });
  return steps;
}

/** Unknown and self dependencies, `on_failure` with nothing to fail, and cycles. */
function checkStepGraph(steps: ReadStep[], scope: Scope): void {
  const ids = steps.map((s) => s.spec.id);
  for (const { spec, scope: at } of steps) {
    spec.dependsOn.forEach((dep, j) => {
      if (dep === spec.id) at.report(['dependsOn', j], 'depends on itself');
      else if (!ids.includes(dep)) {
        const hint = closestName(dep, ids);
        at.report(['dependsOn', j], `depends on unknown step "${dep}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      }
    });
    if (spec.condition === 'on_failure' && !spec.dependsOn.some((d) => d !== spec.id && ids.includes(d))) {
      at.report(['condition'], 'condition on_failure needs an upstream step in dependsOn (it runs when one fails)');
    }
  }
  for (const cycle of findCycles(steps.map((s) => s.spec))) {
    // Point at the edge that closes the cycle: the first step's dependency on the last one.
    const first = steps.find((s) => s.spec.id === cycle[0])!;
    const j = first.spec.dependsOn.indexOf(cycle[cycle.length - 1]!);
    scope.report(['steps', first.index, 'dependsOn', j], cycleMessage(cycle));
  }
}

/** `${params.x}` must name a declared parameter, `${steps.y.outputs.k}` a step upstream of this one. */
function checkReferences(steps: ReadStep[], parameters: ParameterSpec[]): void {
  const ids = steps.map((s) => s.spec.id);
  const paramNames = parameters.map((p) => p.name);
  const specs = steps.map((s) => s.spec);
  for (const { spec, scope: at } of steps) {
    let upstream: Set<string> | undefined;
    for (const [key, value] of Object.entries(spec.params ?? {})) {
      for (const ref of templateRefs(value)) {
        if (ref.kind === 'param') {
          if (paramNames.includes(ref.name)) continue;
          const hint = closestName(ref.name, paramNames);
          at.report(['params', key], `params.${key} references undeclared parameter "${ref.name}" in ${ref.text}${hint ? ` (did you mean "${hint}"?)` : ''}`);
          continue;
        }
        if (!ids.includes(ref.stepId)) {
          const hint = closestName(ref.stepId, ids);
          at.report(['params', key], `params.${key} references unknown step "${ref.stepId}" in ${ref.text}${hint ? ` (did you mean "${hint}"?)` : ''}`);
          continue;
        }
        upstream ??= upstreamClosure(specs, spec.id);
        if (!upstream.has(ref.stepId)) {
          at.report(
            ['params', key],
            `params.${key} references step "${ref.stepId}" in ${ref.text}, which is not upstream of "${spec.id}" (add it to dependsOn)`,
          );
        }
      }
    }
  }
}

function checkJobs(steps: ReadStep[], jobExists: NonNullable<WorkflowContext['jobExists']>): void {
  for (const { spec, scope: at } of steps) {
    if (!NAME_PATTERN.test(spec.job)) continue; // already reported
    if (spec.jobVersion === undefined) {
      if (!jobExists(spec.job)) at.report(['job'], `unknown job "${spec.job}"`);
    } else if (!jobExists(spec.job, spec.jobVersion)) {
      if (jobExists(spec.job)) at.report(['jobVersion'], `job "${spec.job}" has no version ${spec.jobVersion}`);
      else at.report(['job'], `unknown job "${spec.job}"`);
    }
  }
}
