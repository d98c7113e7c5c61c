import { Inject, Injectable } from '@nestjs/common';
import { declaredYaml, type DeclaredDocument } from '@flowforge/workflow';
import { ForbiddenError } from '../auth/auth.guard';
import type { AuthenticatedRequest } from '../auth/principal';
import { OrchestrationClient } from '../orchestration/orchestration.client';
import { declaredDocumentsOf, problemOf, withoutDeclared, type AppliedDeclared, type DeclaredBackend } from './declared-documents';

/** The backends of the declared kinds (schedules, triggers), provided by the gateway module that wires them. */
export const DECLARED_BACKENDS = Symbol('DECLARED_BACKENDS');

export interface AppliedDocument {
  kind: 'Job' | 'Workflow' | 'Schedule' | 'Trigger';
  name: string;
  version: number;
  status: 'created' | 'updated' | 'unchanged';
  secret?: string;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Workflow-as-code across services: the orchestrator applies and exports jobs and workflows (in one
 * transaction); the schedules and triggers of the same file go to their services once that succeeded,
 * in file order, as the caller. Not one transaction across services: a refused schedule or trigger
 * is answered with what was applied before it, and applying the file again (once fixed) finishes it —
 * every document is an upsert, so a second apply changes only what differs.
 */
@Injectable()
export class WorkflowAsCode {
  constructor(
    private readonly orchestrator: OrchestrationClient,
    @Inject(DECLARED_BACKENDS) private readonly backends: DeclaredBackend[],
  ) {}

  /** null: the file declares no schedule or trigger (the route forwards it to the orchestrator as it is). */
  async apply(text: string, req: AuthenticatedRequest): Promise<{ documents: AppliedDocument[] } | null> {
    const declared = declaredDocumentsOf(text);
    if (declared.length === 0) return null;
    const granted = new Set<string>(req.principal?.actor.permissions ?? []);
    const lacking = [...new Set(declared.map((d) => this.backend(d.kind).applyPermission))].filter((p) => !granted.has(p));
    if (lacking.length > 0) {
      const kinds = [...new Set(declared.map((d) => d.kind.toLowerCase() + 's'))].join(' and ');
      throw new ForbiddenError(
        `the file declares ${kinds}: applying them needs ${lacking.join(', ')}, which the caller's roles (or the token's scopes) do not grant; nothing was applied`,
      );
    }
    const res = await this.orchestrator.send(
      { method: 'POST', path: '/workflows/apply', raw: { contentType: 'application/yaml', text: withoutDeclared(text) } },
      req,
    );
    if (!res.ok) throw await problemOf(res, '');
    const applied: AppliedDocument[] = ((await res.json()) as { documents: AppliedDocument[] }).documents;
    for (const doc of declared) {
      const backend = this.backend(doc.kind);
      const answer = await backend.send({ method: 'PUT', path: backend.path(doc.name), body: backend.body(doc) }, req);
      if (!answer.ok) {
        const before = applied.map((d) => `${d.kind} ${d.name}`).join(', ');
        throw await problemOf(answer, `${doc.kind} "${doc.name}"`, ` (applied before it: ${before || 'nothing'}; fix it and apply the file again)`);
      }
      const view = (await answer.json()) as { version?: number; secret?: string };
      const entry: AppliedDeclared = { kind: doc.kind, name: doc.name, version: view.version ?? 1, status: answer.status === 201 ? 'created' : 'updated' };
      if (view.secret) entry.secret = view.secret;
      applied.push(entry);
    }
    return { documents: applied };
  }

  /** The orchestrator's YAML, then the schedules and triggers of those workflows the caller may view. */
  async exportYaml(query: Record<string, string>, req: AuthenticatedRequest): Promise<string> {
    const res = await this.orchestrator.send({ method: 'GET', path: '/workflows/export', query }, req);
    if (!res.ok) throw await problemOf(res, '');
    const parts = [await res.text()].filter((t) => t.trim() !== '');
    const granted = new Set<string>(req.principal?.actor.permissions ?? []);
    const workflow = query.workflow || undefined;
    for (const backend of this.backends) {
      if (!granted.has(backend.viewPermission)) continue;
      const list = await backend.send({ method: 'GET', path: backend.listPath }, req);
      if (!list.ok) throw await problemOf(list, `listing ${backend.kind.toLowerCase()}s`);
      const body = (await list.json()) as Record<string, unknown>[] | { items: Record<string, unknown>[] };
      const docs: DeclaredDocument[] = (Array.isArray(body) ? body : body.items).map((v) => backend.document(v));
      parts.push(
        ...docs
          .filter((d) => workflow === undefined || d.workflow === workflow)
          .sort(byName)
          .map(declaredYaml),
      );
    }
    return parts.join('---\n');
  }

  private backend(kind: DeclaredDocument['kind']): DeclaredBackend {
    const backend = this.backends.find((b) => b.kind === kind);
    if (!backend) throw new Error(`no backend for ${kind} documents`);
    return backend;
  }
}
