import { EventPattern } from '@nestjs/microservices';
import type { EventDefinition, EventEnvelope } from '@flowforge/contracts';

export interface OnEventOptions {
  /** Consumer group; one per service module, so an embedded host keeps each module's own offsets. */
  group: string;
  /** Overrides the definition's topic (e.g. `flowforge.step.dispatched.ingestion`). */
  topic?: string;
  maxAttempts?: number;
  backoffMs?: number;
  /** See SubscribeOptions: the backoff cap, and the longest time an event may keep failing. */
  maxBackoffMs?: number;
  maxRetryMs?: number;
  /** See SubscribeOptions.broadcast: every replica of the app gets every event from its start on. */
  broadcast?: boolean;
}

/** Key under which the subscription travels in Nest's pattern extras (read by BusTransport). */
export const BUS_EXTRAS_KEY = 'ffBusSubscription';

export interface BusSubscriptionExtras {
  def: EventDefinition<EventEnvelope>;
  group: string;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  maxRetryMs?: number;
  broadcast?: boolean;
}

/**
 * Subscribes a controller method to an event through BusTransport:
 * `@OnEvent(RunRequested, { group: 'orchestrator' }) onRun(@Payload() e: RunRequested, @Ctx() ctx: BusContext)`.
 * The pattern is the topic; the definition and group ride in the extras, so two modules handling the
 * same topic in one app subscribe under their own groups.
 */
export function OnEvent<T extends EventEnvelope>(def: EventDefinition<T>, opts: OnEventOptions): MethodDecorator {
  const extras: BusSubscriptionExtras = {
    def: def as unknown as EventDefinition<EventEnvelope>,
    group: opts.group,
    maxAttempts: opts.maxAttempts,
    backoffMs: opts.backoffMs,
    maxBackoffMs: opts.maxBackoffMs,
    maxRetryMs: opts.maxRetryMs,
    broadcast: opts.broadcast,
  };
  return EventPattern<string>(opts.topic ?? def.topic, { [BUS_EXTRAS_KEY]: extras });
}
