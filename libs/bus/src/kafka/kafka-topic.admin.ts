import type { Admin, Kafka } from 'kafkajs';
import { errorMessageOf } from '../bus.errors';
import type { TopicOptions } from '../event-bus.port';
import { KafkaBusError } from './kafka-bus.errors';

/** Topic creation attempts (about 10 s in all) before a start gives up. */
const TOPIC_CREATE_ATTEMPTS = 8;

/** Defaults of the topics the bus creates. */
export interface TopicDefaults {
  /** Partitions of topics created implicitly. */
  partitions: number;
  /** retention.ms of topics created implicitly. */
  retentionMs: number;
  /** Replication factor of created topics (undefined: the broker's default.replication.factor). */
  replicationFactor: number | undefined;
}

/**
 * The bus's Kafka admin client: creates each topic (with its DLQ) once per process, reads a topic's
 * heads for broadcast subscribers and deletes the groups of closed broadcast replicas.
 */
export class KafkaTopicAdmin {
  private readonly topics = new Map<string, Promise<void>>();
  private admin: Admin | null = null;
  private adminReady: Promise<Admin> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly defaults: TopicDefaults,
    /** A closed bus stops retrying. */
    private readonly isClosed: () => boolean,
  ) {}

  /** Creates the topic and its DLQ unless they exist; a failed creation is forgotten, so the next call tries again. */
  ensure(topic: string, opts: TopicOptions): Promise<void> {
    let known = this.topics.get(topic);
    if (!known) {
      known = this.createTopics(topic, opts);
      this.topics.set(topic, known);
      known.catch(() => this.topics.delete(topic));
    }
    return known;
  }

  /** Disconnects the admin client, if one was connected; never throws. */
  async disconnect(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async createTopics(topic: string, opts: TopicOptions): Promise<void> {
    const config = (name: string): { topic: string; numPartitions: number; replicationFactor?: number; configEntries: { name: string; value: string }[] } => ({
      topic: name,
      numPartitions: opts.partitions ?? this.defaults.partitions,
      ...(this.defaults.replicationFactor === undefined ? {} : { replicationFactor: this.defaults.replicationFactor }),
      configEntries: [{ name: 'retention.ms', value: String(opts.retentionMs ?? this.defaults.retentionMs) }],
    });
    // The DLQ is provisioned with its topic, so dead-lettering never waits on topic creation.
    const names = topic.endsWith('.dlq') ? [topic] : [topic, `${topic}.dlq`];
    // Several processes start at once and ensure the same topics: while another's creation is still
    // propagating, the broker answers UNKNOWN_TOPIC_OR_PARTITION ("does not host this topic-partition")
    // to the leader wait. That, and any error kafkajs marks retriable, is retried (listing again first).
    for (let attempt = 1; ; attempt++) {
      try {
        const admin = await this.adminClient();
        // Only the missing ones: kafkajs logs TOPIC_ALREADY_EXISTS at error level, and every process of every
        // service ensures the same topics at start. A creation racing ours still resolves (false), quietly enough.
        const existing = new Set(await admin.listTopics());
        const missing = names.filter((n) => !existing.has(n));
        // Existing topics are never altered (partition count, retention): that is an operator's decision.
        if (missing.length > 0) await admin.createTopics({ topics: missing.map(config), waitForLeaders: true });
        // Listed is not ready: a topic another process has just created may have no partition leader yet,
        // and a consumer subscribing then fails. Return once every partition has one.
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
        if (leaderless.length > 0) throw Object.assign(new Error(`no partition leader yet for ${leaderless.join(', ')}`), { retriable: true });
        return;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable !== false;
        if (!retriable || attempt >= TOPIC_CREATE_ATTEMPTS || this.isClosed()) {
          throw new KafkaBusError('FF_BUS_KAFKA_TOPIC', `creating ${names.join(', ')} failed: ${errorMessageOf(err)}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 2_000)));
      }
    }
  }

  /**
   * The high watermark of every partition of a topic: where a broadcast subscriber starts. Right after
   * the topic was created this client's metadata may still name no leader or an old one
   * (NOT_LEADER_FOR_PARTITION): errors kafkajs marks retriable are retried on refreshed metadata.
   */
  async heads(topic: string): Promise<{ partition: number; offset: string }[]> {
    for (let attempt = 1; ; attempt++) {
      const admin = await this.adminClient();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || attempt >= TOPIC_CREATE_ATTEMPTS || this.isClosed()) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 2_000)));
        await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      }
    }
  }

  /**
   * Deletes a consumer group that has just been left (a broadcast replica closing). The coordinator may
   * still count the member for a moment after its LeaveGroup (GROUP_NOT_EMPTY): retried a few times.
   */
  async deleteGroup(groupId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const admin = await this.adminClient();
        await admin.deleteGroups([groupId]);
        return;
      } catch (err) {
        // Gone already (deleted by a previous try whose answer was lost): the goal is reached.
        if (groupErrorType(err) === 'GROUP_ID_NOT_FOUND') return;
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 1_000)));
      }
    }
  }

  private adminClient(): Promise<Admin> {
    if (!this.adminReady) {
      const admin = (this.admin ??= this.kafka.admin());
      const ready = admin.connect().then(() => admin);
      ready.catch(() => (this.adminReady = null));
      this.adminReady = ready;
    }
    return this.adminReady;
  }
}

/** The protocol error type (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP...) of a kafkajs DeleteGroups failure, through retry wrappers. */
function groupErrorType(err: unknown): string | undefined {
  let e = err as { groups?: { error?: { type?: unknown } }[]; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const type = e.groups?.find((g) => typeof g.error?.type === 'string')?.error?.type;
    if (typeof type === 'string') return type;
    e = e.cause as typeof e;
  }
  return undefined;
}
