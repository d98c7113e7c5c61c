import type { SourceEvent } from './event-source';

/** A message body as an event payload: a JSON object, or a `meta.invalid` reason the filter turns into a recorded non-match. */
export function messagePayload(body: Buffer | null, meta: Record<string, string>, dedupKey: string): SourceEvent {
  let payload: unknown;
  try {
    payload = body === null ? null : JSON.parse(body.toString('utf8'));
  } catch {
    return { payload: {}, meta: { ...meta, invalid: 'the message body is not JSON' }, dedupKey };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { payload: {}, meta: { ...meta, invalid: 'the message body is not a JSON object' }, dedupKey };
  }
  return { payload: payload as Record<string, unknown>, meta, dedupKey };
}
