export * from './workflow.model';
export {
  WorkflowValidationError,
  IllegalTransitionError,
  formatIssue,
  formatIssueWithColumn,
  type ValidationIssue,
  type WorkflowValidationCode,
} from './workflow.errors';
export { validateWorkflow } from './workflow.validator';
export { validateJob } from './job.validator';
export { parseDocuments, API_VERSION, DocumentKinds, type DocumentKind, type DeclaredDocument, type ParsedDocuments } from './yaml/documents.parser';
export { toYaml, toYamlDocuments, declaredYaml } from './yaml/documents.writer';
export { resolveParameters, coerceParamValue, isIsoDate } from './run.parameters';
export { renderStepParams } from './step-params.renderer';
export { parseTemplate, templateRefs, type TemplateRef, type TemplatePart, type ParsedTemplate } from './step-params.template';
export { RunStates, isTerminalRunState, canTransitionRun, assertRunTransition, type RunState } from './run-state.machine';
export { StepStates, isTerminalStepState, canTransitionStep, assertStepTransition, type StepState } from './step-state.machine';
export { evaluateDag, type DagDecision } from './dag.scheduler';
export { retryDelayMs, hasAttemptLeft } from './retry.policy';
export { topologicalOrder, findCycles, upstreamClosure, type StepNode } from './step.graph';
