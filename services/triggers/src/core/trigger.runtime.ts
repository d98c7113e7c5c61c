import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { LOGGER, serviceConfigToken, servicePoolToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { TriggersConfig } from '../triggers.config';
import { EVENT_SOURCES, type EventSource, type SourceHandle } from './event-source';
import { SECRET_BOX } from './secret-box.provider';
import type { SecretBox } from './secret-box';
import { TriggerFirer } from './trigger.firer';
import { TriggerStore, type TriggerRecord } from './trigger.store';

interface Running {
  version: number;
  handle: SourceHandle;
}

/**
 * Keeps every enabled trigger's source running — on one replica at a time (services/triggers/README.md,
 * Runtime). Each sync (FLOWFORGE_TRIGGERS_SYNC_MS, and at once after an edit made here) takes or renews a
 * lease row per enabled trigger (ff_triggers.leases, FLOWFORGE_TRIGGERS_LEASE_SECONDS), starts the sources
 * it now holds, restarts those whose version changed (an edit) and stops those it lost, disabled or deleted.
 * A replica that dies stops renewing: another takes its triggers over once the leases expire.
 */
@Injectable()
export class TriggerRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly sources: Map<string, EventSource>;
  private readonly running = new Map<string, Running>();
  /** Trigger id -> earliest next start attempt (ms) after a failed start. */
  private readonly retryAt = new Map<string, { at: number; failures: number }>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    @Inject(EVENT_SOURCES) sources: EventSource[],
    @Inject(serviceConfigToken('triggers')) private readonly config: TriggersConfig,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly store: TriggerStore,
    private readonly firer: TriggerFirer,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {
    this.sources = new Map(sources.map((s) => [s.type, s]));
  }

  onApplicationBootstrap(): void {
    if (this.config.FLOWFORGE_TRIGGERS_RUNTIME === 'off') return;
    // The first sync waits one interval: embedded, peers (the catalog) answer only once the host listens.
    this.schedule(this.config.FLOWFORGE_TRIGGERS_SYNC_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing?.catch(() => undefined);
    const ids = [...this.running.keys()];
    await Promise.all(ids.map((id) => this.stopOne(id)));
    await this.store.release(this.pool, this.owner, ids).catch(() => undefined);
  }

  /** A trigger changed here: sync now rather than at the next tick. */
  poke(): void {
    if (this.config.FLOWFORGE_TRIGGERS_RUNTIME === 'off' || this.stopped) return;
    this.schedule(0);
  }

  /** Triggers whose source runs in this process (tests, diagnostics). */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), ms);
    this.timer.unref();
  }

  /** One pass; concurrent calls collapse into one more pass after the current one. */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.pass()
      .catch((err: unknown) => this.logger.error({ err, module: 'triggers' }, `FF_TRIGGERS_SYNC_FAILED: ${(err as Error).message}`))
      .finally(() => {
        this.syncing = null;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else {
          this.schedule(this.config.FLOWFORGE_TRIGGERS_SYNC_MS);
        }
      });
    return this.syncing;
  }

  private async pass(): Promise<void> {
    const wanted = await this.store.enabled(this.pool);
    const held = await this.store.lease(
      this.pool,
      this.owner,
      wanted.map((w) => w.id),
      this.config.FLOWFORGE_TRIGGERS_LEASE_SECONDS,
    );
    const versions = new Map(wanted.map((w) => [w.id, w.version]));
    for (const [id, r] of [...this.running]) {
      if (!held.has(id) || versions.get(id) !== r.version) await this.stopOne(id);
    }
    const now = Date.now();
    const due = [...held].filter((id) => !this.running.has(id) && !this.stopped && (this.retryAt.get(id)?.at ?? 0) <= now);
    // Side by side: a source slow to connect (a broker that does not answer) holds back no other.
    await Promise.all(
      due.map(async (id) => {
        const t = await this.store.byId(this.pool, id);
        if (t?.enabled) await this.startOne(t);
      }),
    );
  }

  private async startOne(t: TriggerRecord): Promise<void> {
    const source = this.sources.get(t.type);
    if (!source) {
      this.logger.warn(
        { module: 'triggers', triggerId: t.id, type: t.type },
        `FF_TRIGGER_TYPE_UNKNOWN: trigger ${t.name} has type ${t.type}, which no source here serves`,
      );
      return;
    }
    try {
      const config: Record<string, unknown> = { ...t.config };
      for (const [field, sealed] of Object.entries(t.secrets)) config[field] = this.box.open(sealed, `trigger/${t.id}/${field}`);
      const spec = { id: t.id, name: t.name, workflow: t.workflow, type: t.type, config: source.configSchema.parse(config) };
      const firing = { id: t.id, name: t.name, workflow: t.workflow, type: t.type, config: t.config, params: t.params };
      const handle = await source.start(spec, (event) => this.firer.fire(firing, event));
      this.running.set(t.id, { version: t.version, handle });
      this.retryAt.delete(t.id);
      this.logger.info({ module: 'triggers', triggerId: t.id, trigger: t.name, type: t.type, version: t.version }, `trigger ${t.name} started (${t.type})`);
    } catch (err) {
      const failures = (this.retryAt.get(t.id)?.failures ?? 0) + 1;
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(failures, 6));
      this.retryAt.set(t.id, { at: Date.now() + delay, failures });
      this.logger.error(
        { err, module: 'triggers', triggerId: t.id, trigger: t.name },
        `FF_TRIGGER_START_FAILED: trigger ${t.name} (${t.type}) did not start: ${(err as Error).message}; retrying in ${delay} ms`,
      );
    }
  }

  private async stopOne(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    try {
      await r.handle.stop();
    } catch (err) {
      this.logger.warn({ err, module: 'triggers', triggerId: id }, `trigger ${id}: its source did not stop cleanly: ${(err as Error).message}`);
    }
    this.logger.info({ module: 'triggers', triggerId: id }, `trigger ${id} stopped`);
  }
}
