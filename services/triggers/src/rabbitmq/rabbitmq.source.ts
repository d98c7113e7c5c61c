import { Inject, Injectable } from '@nestjs/common';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import { guardedLookup, refusedLiteral } from '@flowforge/connectors';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Emit, EventSource, SourceEvent, SourceHandle, TriggerSpec } from '../core/event-source';
import { matchFilter, messageFilterSchema } from '../core/event-filter';
import { messagePayload } from '../core/message-payload';

export const rabbitmqConfigSchema = z.strictObject({
  url: z
    .string()
    .regex(/^amqps?:\/\/[^\s:@/]+(:\d{1,5})?(\/[^\s]*)?$/, 'must be amqp://host[:port][/vhost] (credentials go in username and password)')
    .describe('the broker, without credentials'),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(1000).optional().describe('stored encrypted, never answered'),
  queue: z.string().min(1).max(255).describe('the queue consumed (it must exist)'),
  prefetch: z.number().int().min(1).max(1000).default(10).describe('unacknowledged messages at most'),
  filter: messageFilterSchema.optional(),
  allowPrivateNetworks: z
    .boolean()
    .default(false)
    .describe('a broker on a private, loopback or link-local address; only a holder of settings:configure-system may set it'),
});
export type RabbitmqTriggerConfig = z.output<typeof rabbitmqConfigSchema>;

/**
 * `rabbitmq`: each message of `queue` is an event — payload the body's JSON, meta `key` (routing key),
 * `header.<name>`, `exchange`; dedup key the message id when the publisher set one. A message is acked
 * once its firing is recorded (matched or not); when recording fails it is nacked and requeued.
 */
@Injectable()
export class RabbitmqSource implements EventSource<RabbitmqTriggerConfig> {
  readonly type = 'rabbitmq';
  readonly configSchema = rabbitmqConfigSchema;
  readonly secretFields = ['password'] as const;

  constructor(@Inject(LOGGER) private readonly logger: FlowForgeLogger) {}

  match(config: RabbitmqTriggerConfig, event: SourceEvent): { matched: boolean; reason: string } {
    return matchFilter(config.filter, event);
  }

  async start(trigger: TriggerSpec<RabbitmqTriggerConfig>, emit: Emit): Promise<SourceHandle> {
    const c = trigger.config;
    const url = new URL(c.url);
    if (c.username) url.username = encodeURIComponent(c.username);
    if (c.password) url.password = encodeURIComponent(c.password);
    let stopped = false;
    let connection: ChannelModel | null = null;
    let consumer: { channel: Channel; tag: string } | null = null;
    let inFlight = Promise.resolve();
    let retry: NodeJS.Timeout | null = null;

    const onMessage = (channel: Channel, msg: ConsumeMessage | null): void => {
      if (!msg) return;
      const meta: Record<string, string> = { key: msg.fields.routingKey, exchange: msg.fields.exchange };
      for (const [name, value] of Object.entries(msg.properties.headers ?? {})) {
        if (value !== undefined && value !== null) meta[`header.${name.toLowerCase()}`] = typeof value === 'object' ? JSON.stringify(value) : String(value);
      }
      const id = typeof msg.properties.messageId === 'string' && msg.properties.messageId ? msg.properties.messageId : undefined;
      const event = messagePayload(msg.content, meta, id ? `message:${id}` : '');
      if (!id) delete event.dedupKey;
      inFlight = inFlight.then(() =>
        emit(event).then(
          () => channel.ack(msg),
          (err: unknown) => {
            this.logger.warn(
              { module: 'triggers', triggerId: trigger.id, err },
              `FF_TRIGGER_RABBITMQ_REQUEUED: trigger ${trigger.name}: ${(err as Error).message}`,
            );
            channel.nack(msg, false, true);
          },
        ),
      );
    };

    const open = async (): Promise<void> => {
      // The broker's address passes the platform's outbound address policy (docs/architecture.md, Security model):
      // a literal is judged here, a name by the lookup the socket uses.
      const refused = refusedLiteral(url.hostname, trigger.config.allowPrivateNetworks);
      if (refused) throw refused;
      const conn = await amqp.connect(url.toString(), { lookup: guardedLookup(trigger.config.allowPrivateNetworks) });
      connection = conn;
      conn.on('error', () => undefined);
      conn.on('close', () => {
        connection = null;
        if (!stopped) retry = setTimeout(() => void open().catch(reconnectFailed), 2000);
      });
      const channel = await conn.createChannel();
      channel.on('error', () => undefined);
      await channel.checkQueue(c.queue);
      await channel.prefetch(c.prefetch);
      const { consumerTag } = await channel.consume(c.queue, (msg) => onMessage(channel, msg), { noAck: false });
      consumer = { channel, tag: consumerTag };
    };
    const reconnectFailed = (err: unknown): void => {
      this.logger.warn(
        { module: 'triggers', triggerId: trigger.id, err },
        `FF_TRIGGER_RABBITMQ_UNREACHABLE: trigger ${trigger.name}: ${(err as Error).message}; retrying`,
      );
      if (!stopped) retry = setTimeout(() => void open().catch(reconnectFailed), 5000);
    };

    try {
      await open();
    } catch (err) {
      const conn = connection as ChannelModel | null;
      stopped = true;
      await conn?.close().catch(() => undefined);
      throw err;
    }
    return {
      stop: async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        // No new deliveries, then the ones being fired finish (and are acked) before the connection closes.
        const current = consumer as { channel: Channel; tag: string } | null;
        await current?.channel.cancel(current.tag).catch(() => undefined);
        await inFlight;
        const conn = connection as ChannelModel | null;
        await conn?.close().catch(() => undefined);
      },
    };
  }
}
