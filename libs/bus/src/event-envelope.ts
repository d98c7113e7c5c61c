import { randomUUID } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';

/** W3C traceparent of the active span, so consumers can continue the producer's trace. */
function activeTraceparent(): string | null {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !isSpanContextValid(sc)) return null;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1) === 1 ? '01' : '00'}`;
}

/** Fills the envelope fields a producer left out (docs/architecture.md, Events and topics: every event carries them). */
export function completeEnvelope<T extends EventEnvelope>(def: EventDefinition<T>, input: EventInput<T>, producer: string): T {
  return {
    ...input,
    eventId: input.eventId ?? randomUUID(),
    occurredAt: input.occurredAt ?? Date.now(),
    producer: input.producer ?? producer,
    traceparent: input.traceparent === undefined ? activeTraceparent() : input.traceparent,
    schemaVersion: input.schemaVersion ?? def.version,
  } as T;
}
