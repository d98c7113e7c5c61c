import { FlowForgeError } from '@flowforge/service-kit';

/** A JSON body that must be an object (the model validates its fields). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FlowForgeError('FF_VALIDATION', 400, 'Request validation failed', 'the body must be a JSON object', [
      { field: '(body)', message: 'must be a JSON object' },
    ]);
  }
  return body as Record<string, unknown>;
}
