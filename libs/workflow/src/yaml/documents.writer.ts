import { Document, isSeq } from 'yaml';
import { isRecord } from '../spec.reader';
import { DEFAULT_CONDITION, DEFAULT_OVERLAP, DEFAULT_RETRY, type JobSpec, type RetryPolicy, type StepSpec, type WorkflowSpec } from '../workflow.model';
import { API_VERSION, type DeclaredDocument, type ParsedDocuments } from './documents.parser';

/**
 * The canonical text of a job or workflow: fixed key order, defaults left out, free-form maps
 * (step params, job config, json defaults) with sorted keys. Sorted because a store may hand keys
 * back in its own order (Postgres jsonb does), and export -> apply -> export must give the same text.
 */
export function toYaml(doc: JobSpec | WorkflowSpec): string {
  const isWorkflow = 'steps' in doc;
  const body = isWorkflow ? workflowDocument(doc) : jobDocument(doc);
  const yaml = new Document(body);
  if (isWorkflow) flowShortLists(yaml, doc);
  return yaml.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}

/**
 * Jobs first (a workflow's jobs must exist before it does), then workflows, then the schedules and
 * triggers that run them, each kind sorted by name.
 */
export function toYamlDocuments(docs: ParsedDocuments): string {
  const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const declared = [...[...(docs.schedules ?? [])].sort(byName), ...[...(docs.triggers ?? [])].sort(byName)].map(declaredYaml);
  return [...[...[...docs.jobs].sort(byName), ...[...docs.workflows].sort(byName)].map(toYaml), ...declared].join('---\n');
}

/** A Schedule or Trigger: `workflow` first, the rest of the spec with sorted keys. */
export function declaredYaml(doc: DeclaredDocument): string {
  const { workflow: _workflow, ...rest } = doc.spec;
  const body = envelope(doc.kind, { name: doc.name, description: doc.description }, { workflow: doc.workflow, ...sortKeys(rest) });
  return new Document(body).toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}

function jobDocument(job: JobSpec): Record<string, unknown> {
  const spec: Record<string, unknown> = { type: job.type };
  if (job.config !== undefined && Object.keys(job.config).length > 0) spec.config = sortKeys(job.config);
  return envelope('Job', { name: job.name, description: job.description }, spec);
}

function workflowDocument(wf: WorkflowSpec): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (wf.parameters?.length) {
    spec.parameters = wf.parameters.map((p) =>
      compact({
        name: p.name,
        type: p.type,
        required: p.required === true ? true : undefined,
        default: p.default === undefined ? undefined : sortKeys(p.default),
        description: p.description,
      }),
    );
  }
  const concurrency = compact({
    maxRuns: wf.concurrency?.maxRuns,
    overlap: wf.concurrency?.overlap === DEFAULT_OVERLAP ? undefined : wf.concurrency?.overlap,
  });
  if (Object.keys(concurrency).length > 0) spec.concurrency = concurrency;
  if (wf.timeoutMs !== undefined) spec.timeoutMs = wf.timeoutMs;
  spec.steps = wf.steps.map(stepDocument);
  return envelope('Workflow', { name: wf.name, description: wf.description, tags: wf.tags?.length ? wf.tags : undefined }, spec);
}

function stepDocument(step: StepSpec): Record<string, unknown> {
  const retry = retryDocument(step.retry);
  return compact({
    id: step.id,
    job: step.job,
    jobVersion: step.jobVersion,
    dependsOn: step.dependsOn?.length ? step.dependsOn : undefined,
    condition: step.condition === DEFAULT_CONDITION ? undefined : step.condition,
    retry: Object.keys(retry).length > 0 ? retry : undefined,
    timeoutMs: step.timeoutMs,
    params: step.params && Object.keys(step.params).length > 0 ? sortKeys(step.params) : undefined,
  });
}

/** Only the fields that differ from the default policy. */
function retryDocument(retry: RetryPolicy | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!retry) return out;
  for (const key of ['maxAttempts', 'initialDelayMs', 'backoffFactor', 'maxDelayMs'] as const) {
    if (retry[key] !== DEFAULT_RETRY[key]) out[key] = retry[key];
  }
  return out;
}

function envelope(
  kind: 'Job' | 'Workflow' | 'Schedule' | 'Trigger',
  metadata: Record<string, unknown>,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind, metadata: compact(metadata), spec };
}

/** `dependsOn: [a, b]` and `tags: [x, y]` read better on one line. */
function flowShortLists(yaml: Document, wf: WorkflowSpec): void {
  const flow = (path: (string | number)[]): void => {
    const node = yaml.getIn(path, true);
    if (isSeq(node)) node.flow = true;
  };
  flow(['metadata', 'tags']);
  wf.steps.forEach((_, i) => flow(['spec', 'steps', i, 'dependsOn']));
}

function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort();
  return Object.fromEntries(keys.map((k) => [k, sortKeys(value[k])])) as T;
}
