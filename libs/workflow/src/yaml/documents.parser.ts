import { isScalar, LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import { checkJob } from '../job.validator';
import { describeValue, formatPath, isRecord, IssueList, rejectUnknownKeys, Scope, type IssueDraft, type SpecPath } from '../spec.reader';
import { WorkflowValidationError, type ValidationIssue, type WorkflowValidationCode } from '../workflow.errors';
import { NAME_PATTERN, type JobContext, type JobSpec, type WorkflowContext, type WorkflowSpec } from '../workflow.model';
import { NAME_HINT } from '../step.reader';
import { checkWorkflow } from '../workflow.validator';
import { locate } from './yaml.locator';

/**
 * A schedule or a trigger declared beside its workflow. The model checks only what every such document
 * has — a name, the workflow it runs, a spec mapping; the service that owns the kind (scheduler,
 * triggers) checks the rest of the spec when the file is applied, naming the field.
 */
export interface DeclaredDocument {
  kind: 'Schedule' | 'Trigger';
  name: string;
  description?: string;
  /** `spec.workflow`: the workflow it runs. */
  workflow: string;
  /** Every field of `spec` (`workflow` included), as written. */
  spec: Record<string, unknown>;
}

/** The documents of one workflow-as-code file, in file order within each kind. */
export interface ParsedDocuments {
  jobs: JobSpec[];
  workflows: WorkflowSpec[];
  /** Absent means none (a writer's input may leave them out). */
  schedules?: DeclaredDocument[];
  triggers?: DeclaredDocument[];
}

export const API_VERSION = 'flowforge.io/v1';
export const DocumentKinds = ['Job', 'Workflow', 'Schedule', 'Trigger'] as const;
export type DocumentKind = (typeof DocumentKinds)[number];

const ENVELOPE_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
/** Model fields that live under `metadata:` in a document; everything else lives under `spec:`. */
const METADATA_KEYS: Record<DocumentKind, readonly string[]> = {
  Job: ['name', 'description'],
  Workflow: ['name', 'description', 'tags'],
  Schedule: ['name', 'description'],
  Trigger: ['name', 'description'],
};

interface Envelope {
  doc: Document;
  kind: DocumentKind;
  /** The model object: metadata fields and spec fields side by side. */
  model: Record<string, unknown>;
}

/**
 * Parses a workflow-as-code file: one or more YAML documents of
 * `apiVersion: flowforge.io/v1`, `kind: Job | Workflow | Schedule | Trigger`, `metadata: {name, description?, tags?}`, `spec: {...}`.
 * Every issue carries the line and column of its node. Jobs defined in the file count as existing
 * for the file's workflows. Throws FF_YAML_INVALID (syntax, or not a FlowForge document), else
 * FF_WORKFLOW_INVALID / FF_JOB_INVALID, with every issue of the file in line order.
 */
export function parseDocuments(text: string, ctx: WorkflowContext & JobContext = {}): ParsedDocuments {
  const lineCounter = new LineCounter();
  const stream = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax: ValidationIssue[] = [];
  const yamlIssue = (e: YAMLError): void => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    syntax.push({ path: '', message: `YAML ${e.name === 'YAMLWarning' ? 'warning' : 'error'}: ${e.message}`, line, column: col });
  };
  if ('empty' in stream) {
    stream.errors.forEach(yamlIssue);
    stream.warnings.forEach(yamlIssue);
  }
  for (const doc of stream) {
    doc.errors.forEach(yamlIssue);
    doc.warnings.forEach(yamlIssue);
  }
  if (syntax.length > 0) throw new WorkflowValidationError('FF_YAML_INVALID', sortByPosition(syntax));

  const envelopeIssues: ValidationIssue[] = [];
  const envelopes: Envelope[] = [];
  stream.forEach((doc, index) => {
    // An empty document, e.g. after a trailing `---`, or one holding only comments.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    const issues = new IssueList();
    const envelope = readEnvelope(doc, index, issues);
    envelopeIssues.push(...issues.items.map((d) => located(doc, lineCounter, d)));
    if (envelope) envelopes.push(envelope);
  });

  const jobs: JobSpec[] = [];
  const jobIssues: ValidationIssue[] = [];
  const jobsByName = new Map<string, Envelope>();
  for (const envelope of envelopes.filter((e) => e.kind === 'Job')) {
    const issues = new IssueList();
    const job = checkJob(envelope.model, ctx, issues);
    if (job) duplicateName(jobsByName, job.name, envelope, issues, lineCounter, 'job');
    jobIssues.push(...issues.items.map((d) => located(envelope.doc, lineCounter, toDocumentPath(d, 'Job'))));
    if (job && issues.size === 0) jobs.push(job);
  }

  const workflowCtx: WorkflowContext = {};
  if (ctx.jobExists) {
    const external = ctx.jobExists.bind(ctx);
    // A job of this file will exist once the file is applied; a pinned version of it is the catalog's to know.
    workflowCtx.jobExists = (name, version) => (version === undefined && jobsByName.has(name)) || external(name, version);
  }
  const workflows: WorkflowSpec[] = [];
  const workflowIssues: ValidationIssue[] = [];
  const workflowsByName = new Map<string, Envelope>();
  for (const envelope of envelopes.filter((e) => e.kind === 'Workflow')) {
    const issues = new IssueList();
    const workflow = checkWorkflow(envelope.model, workflowCtx, issues);
    if (workflow) duplicateName(workflowsByName, workflow.name, envelope, issues, lineCounter, 'workflow');
    workflowIssues.push(...issues.items.map((d) => located(envelope.doc, lineCounter, toDocumentPath(d, 'Workflow'))));
    if (workflow && issues.size === 0) workflows.push(workflow);
  }

  const declared: Record<'Schedule' | 'Trigger', DeclaredDocument[]> = { Schedule: [], Trigger: [] };
  for (const kind of ['Schedule', 'Trigger'] as const) {
    const byName = new Map<string, Envelope>();
    for (const envelope of envelopes.filter((e) => e.kind === kind)) {
      const issues = new IssueList();
      const doc = checkDeclared(kind, envelope.model, issues);
      if (doc) duplicateName(byName, doc.name, envelope, issues, lineCounter, kind.toLowerCase());
      envelopeIssues.push(...issues.items.map((d) => located(envelope.doc, lineCounter, toDocumentPath(d, kind))));
      if (doc && issues.size === 0) declared[kind].push(doc);
    }
  }

  const all = [...envelopeIssues, ...jobIssues, ...workflowIssues];
  if (all.length > 0) {
    const code: WorkflowValidationCode = envelopeIssues.length > 0 ? 'FF_YAML_INVALID' : workflowIssues.length > 0 ? 'FF_WORKFLOW_INVALID' : 'FF_JOB_INVALID';
    throw new WorkflowValidationError(code, sortByPosition(all));
  }
  return { jobs, workflows, schedules: declared.Schedule, triggers: declared.Trigger };
}

/** What the model knows of a Schedule or Trigger: its name, its workflow, a spec mapping. */
function checkDeclared(kind: 'Schedule' | 'Trigger', model: Record<string, unknown>, issues: IssueList): DeclaredDocument | undefined {
  const scope = new Scope(issues, []);
  const { name, description, ...spec } = model;
  const what = kind.toLowerCase();
  if (name === undefined) scope.report(['name'], 'name is required');
  else if (typeof name !== 'string' || !NAME_PATTERN.test(name)) scope.report(['name'], `${what} name: ${NAME_HINT}; got ${describeValue(name)}`);
  if (description !== undefined && (typeof description !== 'string' || description.length > 1000)) {
    scope.report(['description'], `description must be text of at most 1000 characters (got ${describeValue(description)})`);
  }
  const workflow = spec.workflow;
  if (workflow === undefined) scope.report(['workflow'], `workflow is required: the workflow the ${what} runs`);
  else if (typeof workflow !== 'string' || !NAME_PATTERN.test(workflow)) {
    scope.report(['workflow'], `workflow must name the workflow the ${what} runs (${NAME_HINT}); got ${describeValue(workflow)}`);
  }
  if (typeof name !== 'string' || typeof workflow !== 'string' || issues.size > 0) return undefined;
  return { kind, name, ...(description === undefined ? {} : { description: description as string }), workflow, spec };
}

/** apiVersion, kind, metadata and spec; returns the model object (metadata and spec fields merged). */
function readEnvelope(doc: Document, index: number, issues: IssueList): Envelope | undefined {
  const scope = new Scope(issues, []);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    scope.report([], `document ${index + 1} cannot be read: ${(err as Error).message}`);
    return undefined;
  }
  if (!isRecord(raw)) {
    scope.report([], `document ${index + 1} must be a mapping with apiVersion, kind, metadata and spec (got ${describeValue(raw)})`);
    return undefined;
  }
  rejectUnknownKeys(raw, ENVELOPE_KEYS, scope);
  if (raw.apiVersion !== API_VERSION) {
    scope.report(raw.apiVersion === undefined ? [] : ['apiVersion'], `apiVersion must be ${API_VERSION} (got ${describeValue(raw.apiVersion)})`);
  }
  const kind = DocumentKinds.find((k) => k === raw.kind);
  if (kind === undefined) {
    scope.report(raw.kind === undefined ? [] : ['kind'], `kind must be one of ${DocumentKinds.join(', ')} (got ${describeValue(raw.kind)})`);
  }
  const metadata = raw.metadata;
  if (!isRecord(metadata)) scope.report(metadata === undefined ? [] : ['metadata'], `metadata must be a mapping with name (got ${describeValue(metadata)})`);
  const spec = raw.spec ?? {};
  if (!isRecord(spec)) scope.report(['spec'], `spec must be a mapping (got ${describeValue(spec)})`);
  if (kind === undefined || !isRecord(metadata) || !isRecord(spec)) return undefined;

  const metaKeys = METADATA_KEYS[kind];
  rejectUnknownKeys(metadata, metaKeys, scope.nested('metadata', 'metadata.'));
  const model: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (metaKeys.includes(key)) scope.report(['spec', key], `spec.${key} belongs in metadata (metadata.${key})`, true);
    else model[key] = value;
  }
  for (const key of metaKeys) if (metadata[key] !== undefined) model[key] = metadata[key];
  return { doc, kind, model };
}

function duplicateName(seen: Map<string, Envelope>, name: string, envelope: Envelope, issues: IssueList, lineCounter: LineCounter, what: string): void {
  const first = seen.get(name);
  if (!first) {
    seen.set(name, envelope);
    return;
  }
  const at = locate(first.doc, lineCounter, ['metadata', 'name']);
  issues.add(['name'], `${what} "${name}" is defined twice in this file${at ? ` (first at line ${at.line})` : ''}`);
}

/** A model path (`steps[1].id`, `name`) -> where it is in the document (`spec.steps[1].id`, `metadata.name`). */
function toDocumentPath(draft: IssueDraft, kind: DocumentKind): IssueDraft {
  const [head, ...rest] = draft.path;
  if (head === undefined) return draft;
  const section = METADATA_KEYS[kind].includes(String(head)) ? 'metadata' : 'spec';
  return { ...draft, path: [section, head, ...rest] };
}

function located(doc: Document, lineCounter: LineCounter, draft: IssueDraft): ValidationIssue {
  const path: SpecPath = draft.path;
  const issue: ValidationIssue = { path: formatPath(path), message: draft.message };
  const at = locate(doc, lineCounter, path, draft.atKey);
  if (at) {
    issue.line = at.line;
    issue.column = at.column;
  }
  if (draft.stepId !== undefined) issue.stepId = draft.stepId;
  return issue;
}

function sortByPosition(issues: ValidationIssue[]): ValidationIssue[] {
  const key = (i: ValidationIssue): number => (i.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (i.column ?? 0);
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => key(a.issue) - key(b.issue) || a.n - b.n)
    .map((x) => x.issue);
}
