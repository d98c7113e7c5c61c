import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { EventEnvelope } from '@flowforge/contracts';
import type { EventBus, Subscription } from '../event-bus.port';
import { BusContext } from './bus.context';
import { BUS_EXTRAS_KEY, type BusSubscriptionExtras } from './on-event.decorator';

/** A bus-transport symbol so `@EventPattern(..., BUS_TRANSPORT)` could target this server only. */
export const BUS_TRANSPORT = Symbol('flowforge-bus');

/**
 * Nest custom transport over the EventBus port: on listen, every `@OnEvent` handler becomes a bus
 * subscription under its own group. The handler's outcome is awaited (promise or observable), so an
 * exception reaches the bus, which retries and then dead-letters — unlike Nest's fire-and-forget
 * default for events. Request/response patterns are not supported (commands go over HTTP).
 */
export class BusTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = BUS_TRANSPORT;
  // We await handlers and hand failures to the bus (retry, DLQ), as ServerKafka does with kafkajs.
  override readonly propagatesEventHandlerErrors = true;
  private subscriptions: Subscription[] = [];
  private readonly busHandlers: { topic: string; handler: MessageHandler; sub: BusSubscriptionExtras }[] = [];

  constructor(private readonly bus: EventBus) {
    super();
  }

  /**
   * Nest chains handlers of one pattern (`next`) and runs the whole chain for each message; here each
   * @OnEvent handler is its own subscription in its own group, so they are kept apart, never chained.
   */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    const sub = extras[BUS_EXTRAS_KEY] as BusSubscriptionExtras | undefined;
    if (!isEventHandler || !sub) {
      this.logger.warn?.(`FF_BUS_PATTERN_IGNORED: pattern ${JSON.stringify(pattern)} is not an @OnEvent handler; BusTransport only runs @OnEvent`);
      return;
    }
    callback.isEventHandler = true;
    callback.extras = extras;
    this.busHandlers.push({ topic: this.normalizePattern(pattern as string), handler: callback, sub });
  }

  listen(callback: (err?: unknown) => void): void {
    this.subscribeAll().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.close()));
  }

  on(): void {
    // The bus reports its own connection problems through its logger; no events to bridge.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async subscribeAll(): Promise<void> {
    for (const { topic, handler, sub } of this.busHandlers) {
      this.subscriptions.push(
        await this.bus.subscribe<EventEnvelope>(
          sub.def,
          {
            group: sub.group,
            topic,
            maxAttempts: sub.maxAttempts,
            backoffMs: sub.backoffMs,
            maxBackoffMs: sub.maxBackoffMs,
            maxRetryMs: sub.maxRetryMs,
            broadcast: sub.broadcast,
          },
          async (event, ctx) => {
            const result: unknown = await handler(event, new BusContext([ctx]));
            if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          },
        ),
      );
    }
  }
}
