/** One thing wrong with a document; `line`/`column` (1-based) are set when it came from YAML text. */
export interface ValidationIssue {
  /** Where, e.g. `steps[1].dependsOn[0]` (or `spec.steps[1].dependsOn[0]` for a YAML document). */
  path: string;
  /** What is wrong, relative to the step when `stepId` is set: `depends on unknown step "extrct"`. */
  message: string;
  line?: number;
  column?: number;
  stepId?: string;
}

export type WorkflowValidationCode =
  /** A workflow definition is wrong (structure, references, cycles). */
  | 'FF_WORKFLOW_INVALID'
  /** A job definition is wrong (name, type, config against its type's schema). */
  | 'FF_JOB_INVALID'
  /** YAML text does not parse, or a document is not a FlowForge `Job`/`Workflow`. */
  | 'FF_YAML_INVALID'
  /** Run parameters given by a caller do not fit the workflow's declared parameters. */
  | 'FF_PARAMS_INVALID'
  /** A step's params reference a value the run does not have (missing parameter or upstream output). */
  | 'FF_STEP_PARAMS_UNRESOLVED';

/**
 * Every issue at once, so that one edit-apply cycle fixes a file instead of one error per attempt.
 * The message lists the issues one per line, each like `line 12: step "load": depends on unknown step "extrct"`;
 * the column is on each issue (`formatIssueWithColumn` prints it, e.g. for a CLI).
 */
export class WorkflowValidationError extends Error {
  constructor(
    readonly code: WorkflowValidationCode,
    readonly issues: ValidationIssue[],
  ) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'WorkflowValidationError';
  }
}

/** One issue as the error message prints it: `line 12: step "load": depends on unknown step "extrct"`. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.line !== undefined ? `line ${issue.line}: ` : ''}${subjectOf(issue)}${issue.message}`;
}

/** The same with the column, for an editor or a CLI: `line 12, column 9: step "load": ...`. */
export function formatIssueWithColumn(issue: ValidationIssue): string {
  if (issue.line === undefined || issue.column === undefined) return formatIssue(issue);
  return `line ${issue.line}, column ${issue.column}: ${subjectOf(issue)}${issue.message}`;
}

function subjectOf(issue: ValidationIssue): string {
  return issue.stepId !== undefined ? `step "${issue.stepId}": ` : '';
}

/** A state change the run or step state machine does not allow (a late or duplicated event, or a bug). */
export class IllegalTransitionError extends Error {
  readonly code = 'FF_ILLEGAL_TRANSITION' as const;

  constructor(
    readonly subject: 'run' | 'step',
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
  ) {
    const options = allowed.length > 0 ? allowed.map((s) => `"${s}"`).join(', ') : 'nothing (it is final)';
    super(`FF_ILLEGAL_TRANSITION: a ${subject} cannot go from "${from}" to "${to}"; from "${from}" it may go to ${options}`);
    this.name = 'IllegalTransitionError';
  }
}
