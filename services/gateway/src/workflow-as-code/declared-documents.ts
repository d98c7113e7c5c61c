import { parseAllDocuments } from 'yaml';
import type { Permission } from '@flowforge/access';
import { FlowForgeError, type HttpRequest } from '@flowforge/service-kit';
import { parseDocuments, type DeclaredDocument } from '@flowforge/workflow';
import type { UpstreamCall } from '../upstream/upstream.forwarder';

/**
 * Schedules and triggers declared in a workflow-as-code file (`kind: Schedule | Trigger`, libs/workflow)
 * belong to the scheduler and the triggers service. The gateway applies them after the orchestrator
 * applied the file's jobs and workflows, and adds them to an export (docs/architecture.md, Services).
 */
export interface DeclaredBackend {
  kind: DeclaredDocument['kind'];
  /** What a caller needs to apply one (create or replace it). */
  applyPermission: Permission;
  /** What a caller needs for them to be exported. */
  viewPermission: Permission;
  /** A call to the owning service's internal API, as the caller of `req` (actor headers). */
  send(call: UpstreamCall, req: HttpRequest): Promise<Response>;
  /** The internal path of one (`/triggers/<name>`) and of the list. */
  path(name: string): string;
  listPath: string;
  /** The service's PUT body for a document. */
  body(doc: DeclaredDocument): unknown;
  /** The document for an item of the service's list (what applying it back would send). */
  document(view: Record<string, unknown>): DeclaredDocument;
}

export interface AppliedDeclared {
  kind: DeclaredDocument['kind'];
  name: string;
  version: number;
  status: 'created' | 'updated';
  /** A webhook's secret the triggers service generated: answered this once. */
  secret?: string;
}

/** The declared documents of a file, or none when the file does not parse (the orchestrator then names what is wrong, by line). */
export function declaredDocumentsOf(text: string): DeclaredDocument[] {
  try {
    const parsed = parseDocuments(text);
    return [...(parsed.schedules ?? []), ...(parsed.triggers ?? [])];
  } catch {
    return [];
  }
}

/**
 * The file without its Schedule and Trigger documents, line for line: each is blanked (its lines kept,
 * emptied), so the orchestrator's errors still name the lines of the file as the user wrote it.
 */
export function withoutDeclared(text: string): string {
  let out = '';
  let at = 0;
  for (const doc of parseAllDocuments(text)) {
    const kind = doc.get('kind');
    if (kind !== 'Schedule' && kind !== 'Trigger') continue;
    const [start, , end] = doc.range;
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, '');
    at = end;
  }
  return out + text.slice(at);
}

/** A service's problem answer, raised again as the gateway's own, the document named. */
export async function problemOf(res: Response, what: string, note = ''): Promise<FlowForgeError> {
  const text = await res.text();
  let p: { code?: string; title?: string; detail?: string; errors?: { field: string; message: string }[] } = {};
  try {
    p = JSON.parse(text) as typeof p;
  } catch {
    p = { detail: text.slice(0, 500) };
  }
  const prefix = what ? `${what}: ` : '';
  return new FlowForgeError(
    p.code ?? `FF_UPSTREAM_${res.status}`,
    res.status,
    p.title ?? 'Refused',
    `${prefix}${p.detail ?? `answered ${res.status}`}${note}`,
    p.errors?.map((e) => ({ field: what ? `${what}: ${e.field}` : e.field, message: e.message })),
  );
}
