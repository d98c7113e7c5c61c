import { BaseRpcContext } from '@nestjs/microservices';
import type { Queryable } from '@flowforge/db';
import type { EventContext } from '../event-bus.port';

/**
 * What `@Ctx()` gives an `@OnEvent` handler: the bus's EventContext (transaction, attempt, topic,
 * partition, offset, key, headers), wrapped in Nest's ctx-host shape so guards/interceptors that
 * call `host.switchToRpc().getContext()` see a normal RPC context.
 */
export class BusContext extends BaseRpcContext<[EventContext]> {
  getEventContext(): EventContext {
    return this.args[0];
  }

  /** The transaction that also commits the inbox row and the consumer offset. */
  getTx(): Queryable {
    return this.args[0].tx;
  }

  getAttempt(): number {
    return this.args[0].attempt;
  }

  getTopic(): string {
    return this.args[0].topic;
  }
}
