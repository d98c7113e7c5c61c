import type { DeclaredDocument } from '@flowforge/workflow';
import type { DeclaredBackend } from '../workflow-as-code/declared-documents';
import type { TriggersClient } from './triggers.client';

const enc = encodeURIComponent;

/** `kind: Trigger` documents: the body of PUT /triggers/{name}, and a trigger of the list as a document. */
export function triggersBackend(client: TriggersClient): DeclaredBackend {
  return {
    kind: 'Trigger',
    applyPermission: 'trigger:edit',
    viewPermission: 'trigger:view',
    send: (call, req) => client.send(call, req),
    path: (name) => `/triggers/${enc(name)}`,
    listPath: '/triggers',
    body: (doc) => ({ ...doc.spec, ...(doc.description !== undefined ? { description: doc.description } : {}) }),
    document: (view): DeclaredDocument => {
      const params = view.params as Record<string, string> | undefined;
      const spec: Record<string, unknown> = { workflow: view.workflow, type: view.type, config: view.config ?? {} };
      if (params && Object.keys(params).length > 0) spec.params = params;
      if (view.enabled === false) spec.enabled = false;
      return {
        kind: 'Trigger',
        name: String(view.name),
        ...(typeof view.description === 'string' && view.description !== '' ? { description: view.description } : {}),
        workflow: String(view.workflow),
        spec,
      };
    },
  };
}
