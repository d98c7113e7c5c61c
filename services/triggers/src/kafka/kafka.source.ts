import { Inject, Injectable } from '@nestjs/common';
import type tls from 'node:tls';
import { Kafka, logLevel, type Consumer, type ISocketFactory } from 'kafkajs';
import { guardedSocket } from '@flowforge/connectors';
import { z } from 'zod';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Emit, EventSource, SourceEvent, SourceHandle, TriggerSpec } from '../core/event-source';
import { matchFilter, messageFilterSchema } from '../core/event-filter';
import { messagePayload } from '../core/message-payload';

export const kafkaConfigSchema = z.strictObject({
  brokers: z
    .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'))
    .min(1)
    .max(20)
    .describe('bootstrap brokers, host:port (plaintext; authenticated clusters are not supported yet)'),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .describe('the topic read; each message is one event'),
  fromBeginning: z.boolean().default(false).describe("where a trigger's new consumer group starts: the oldest message, or only new ones"),
  filter: messageFilterSchema.optional(),
  allowPrivateNetworks: z
    .boolean()
    .default(false)
    .describe('brokers on private, loopback or link-local addresses; only a holder of settings:configure-system may set it'),
});
export type KafkaTriggerConfig = z.output<typeof kafkaConfigSchema>;

/** Every trigger reads with a consumer group of its own, so triggers on one topic do not share messages. */
export const kafkaGroupOf = (triggerId: string): string => `flowforge-trigger-${triggerId}`;

/**
 * `kafka`: each message of `topic` is an event — payload the message's JSON, meta `key`, `header.<name>`,
 * `topic`, `partition`, `offset`; dedup key topic/partition/offset. Offsets are committed only after the
 * firing is recorded: a crash in between redelivers the message, and its dedup key makes that a no-op.
 */
@Injectable()
export class KafkaSource implements EventSource<KafkaTriggerConfig> {
  readonly type = 'kafka';
  readonly configSchema = kafkaConfigSchema;

  constructor(@Inject(LOGGER) private readonly logger: FlowForgeLogger) {}

  match(config: KafkaTriggerConfig, event: SourceEvent): { matched: boolean; reason: string } {
    return matchFilter(config.filter, event);
  }

  async start(trigger: TriggerSpec<KafkaTriggerConfig>, emit: Emit): Promise<SourceHandle> {
    const { brokers, topic, fromBeginning } = trigger.config;
    // Few retries: a start that fails is retried by the runtime, with backoff, rather than here for minutes.
    // Every socket, to the bootstrap brokers and to those their metadata names, passes the platform's
    // outbound address policy (docs/architecture.md, Security model).
    const allowPrivateNetworks = trigger.config.allowPrivateNetworks;
    const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
      const options = ssl as tls.ConnectionOptions | boolean | undefined;
      return guardedSocket({ host, port, allowPrivateNetworks, tls: options ? (options === true ? {} : options) : null, onConnect });
    };
    const kafka = new Kafka({
      socketFactory,
      clientId: `flowforge-trigger-${trigger.name}`,
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 2, initialRetryTime: 300 },
    });
    let stopped = false;
    let consumer: Consumer;
    let again: NodeJS.Timeout | null = null;

    const open = async (): Promise<void> => {
      const c = kafka.consumer({ groupId: kafkaGroupOf(trigger.id), allowAutoTopicCreation: false });
      consumer = c;
      c.on(c.events.CRASH, (e) => {
        this.logger.warn(
          { module: 'triggers', triggerId: trigger.id, err: e.payload.error },
          `FF_TRIGGER_KAFKA_CRASH: trigger ${trigger.name} consumer crashed (${e.payload.error.message}); restart: ${e.payload.restart}`,
        );
        // kafkajs gives up on a non-retriable error: a new consumer, a little later, rather than a dead trigger.
        if (!e.payload.restart && !stopped) {
          const reopen = (): void => {
            again = setTimeout(() => {
              if (stopped) return;
              void c
                .disconnect()
                .catch(() => undefined)
                .then(() => (stopped ? undefined : open()))
                .catch(() => reopen());
            }, 5000);
          };
          reopen();
        }
      });
      await c.connect();
      try {
        await c.subscribe({ topic, fromBeginning });
        await c.run({
          autoCommit: false,
          eachMessage: async ({ topic: t, partition, message }) => {
            const meta: Record<string, string> = { topic: t, partition: String(partition), offset: message.offset };
            if (message.key) meta.key = message.key.toString('utf8');
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              const v = Array.isArray(value) ? value[0] : value;
              if (v !== undefined) meta[`header.${name.toLowerCase()}`] = v.toString();
            }
            // A throw (the database away) leaves the offset uncommitted: kafkajs retries the message.
            await emit(messagePayload(message.value, meta, `${t}/${partition}/${message.offset}`));
            await c.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          },
        });
      } catch (err) {
        await c.disconnect().catch(() => undefined);
        throw err;
      }
    };

    await open();
    return {
      stop: async () => {
        stopped = true;
        if (again) clearTimeout(again);
        await consumer.disconnect();
      },
    };
  }
}
