import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { localPathPolicy, openLocation, selectFiles, type FileLocation, type LocalPathPolicy } from '@flowforge/connectors';
import { COMMON_CONFIG, localLakeDir, LOGGER, serviceConfigToken, servicePoolToken, type CommonConfig, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { TriggersConfig } from '../triggers.config';
import type { Emit, EventSource, SourceHandle, TriggerSpec } from '../core/event-source';
import { CatalogConnectionClient } from './catalog-connection.client';
import { FileArrivals, fileKey, type ArrivedFile } from './file-arrivals';

const relative = z
  .string()
  .max(1024)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\') && !p.includes('\u0000'),
    'must be a relative path without ".." or "\\"',
  );

export const fileConfigSchema = z.strictObject({
  connection: z.string().min(1).max(128).describe('a catalog connection of a file type (local, s3, sftp, ...)'),
  prefix: relative.default('').describe('the folder watched, relative to the connection root'),
  glob: relative
    .refine((g) => g.length > 0, 'must not be empty')
    .default('*')
    .describe('files of the folder that count, relative to prefix (`*.csv`, `**/*.json`)'),
  intervalSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(30)
    .describe('time between two listings; a file fires once two listings in a row saw the same size and mtime'),
  maxFiles: z.number().int().min(1).max(1000).default(100).describe('files one firing lists at most; more wait for the next poll'),
  notificationToken: z
    .string()
    .min(32)
    .max(256)
    .optional()
    .describe(
      "set: the trigger takes object-store event notifications (S3's event JSON, direct or in an SNS envelope) at POST /api/v1/hooks/{triggerId}/notifications with `Authorization: Bearer <this token>`; a notified object is looked at at once, not at the next poll. Stored encrypted, never answered",
    ),
});
export type FileTriggerConfig = z.output<typeof fileConfigSchema>;

/**
 * `file`: polls a connection's folder. Files that stopped changing (same size and mtime on two polls in
 * a row) and never fired are fired together, one firing whose payload lists them (`files[]`:
 * path, size, modifiedAt; `connection`, `count`); each file's path+size+mtime is then remembered in
 * ff_triggers.file_arrivals, so neither a later poll nor a restart fires it again. A changed file (other
 * size or mtime) is a new arrival. With a `notificationToken`, an object store's event notification wakes
 * the poll at once, and the objects it names count as complete (an object appears whole): no second listing.
 */
@Injectable()
export class FileSource implements EventSource<FileTriggerConfig> {
  readonly type = 'file';
  readonly configSchema = fileConfigSchema;
  readonly secretFields = ['notificationToken'] as const;
  private policy?: LocalPathPolicy;
  /** The running triggers of this process: a notification wakes the poll and names objects written in full. */
  private readonly wakers = new Map<string, (keys: string[]) => void>();

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    private readonly catalog: CatalogConnectionClient,
    @Inject(serviceConfigToken('triggers')) private readonly config: TriggersConfig,
    @Inject(COMMON_CONFIG) private readonly common: CommonConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  start(trigger: TriggerSpec<FileTriggerConfig>, emit: Emit): Promise<SourceHandle> {
    const c = trigger.config;
    const glob = c.prefix ? `${c.prefix.replace(/\/+$/, '')}/${c.glob}` : c.glob;
    const arrivals = new FileArrivals();
    const abort = new AbortController();
    // Notified object keys (bucket-relative) are matched to listed paths by suffix: a connection may root its
    // paths under a prefix of the bucket. Kept until a poll sees them.
    let notified = new Set<string>();
    let wake: (() => void) | null = null;
    this.wakers.set(trigger.id, (keys) => {
      for (const k of keys.slice(0, 1000)) notified.add(k);
      wake?.();
    });
    let location: FileLocation | null = null;
    let lastError = '';

    const pollOnce = async (): Promise<void> => {
      if (!location) {
        const conn = await this.catalog.connection(c.connection, trigger.id, abort.signal);
        location = openLocation(conn.type, conn.config, { localPolicy: this.localPolicy() });
      }
      const listed = await selectFiles(location, { kind: 'glob', glob }, { maxFiles: 10_000, signal: abort.signal });
      const named = notified;
      notified = new Set();
      const complete = new Set(
        named.size === 0 ? [] : listed.filter((e) => [...named].some((k) => k === e.path || k.endsWith(`/${e.path}`))).map((e) => e.path),
      );
      const ready = arrivals.observe(listed, complete);
      if (ready.length === 0) return;
      const fresh = await this.unseen(trigger.id, ready);
      if (fresh.length === 0) return;
      const batch = fresh.slice(0, c.maxFiles);
      const keys = batch.map(fileKey);
      const outcome = await emit({
        payload: { connection: c.connection, count: batch.length, files: batch },
        meta: { connection: c.connection, path: batch[0]!.path },
        dedupKey: `files:${createHash('sha256').update(keys.join('\n')).digest('hex')}`,
      });
      await this.pool.query(
        `INSERT INTO "ff_triggers"."file_arrivals" (trigger_id, file_key, firing_id) SELECT $1, k, $3 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
        [trigger.id, keys, outcome.firingId],
      );
    };

    const loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          await pollOnce();
          lastError = '';
        } catch (err) {
          if (abort.signal.aborted) break;
          const message = (err as Error).message;
          // Logged once per distinct failure, not every poll.
          if (message !== lastError)
            this.logger.warn({ module: 'triggers', triggerId: trigger.id, err }, `FF_TRIGGER_FILE_POLL_FAILED: trigger ${trigger.name}: ${message}`);
          lastError = message;
          const broken = location as FileLocation | null;
          location = null;
          await broken?.close().catch(() => undefined);
        }
        if (notified.size > 0) continue;
        // Until the next poll, a stop (already requested, too) or a notification.
        const interval = new AbortController();
        wake = () => interval.abort();
        await sleep(c.intervalSeconds * 1000, undefined, { signal: AbortSignal.any([abort.signal, interval.signal]) }).catch(() => undefined);
        wake = null;
      }
    })();

    return Promise.resolve({
      stop: async () => {
        this.wakers.delete(trigger.id);
        abort.abort();
        await loop;
        const open = location as FileLocation | null;
        await open?.close().catch(() => undefined);
      },
    });
  }

  notify(triggerId: string, keys: string[]): boolean {
    const waker = this.wakers.get(triggerId);
    waker?.(keys);
    return waker !== undefined;
  }

  /** The ready files this trigger has not fired for. */
  private async unseen(triggerId: string, files: ArrivedFile[]): Promise<ArrivedFile[]> {
    const { rows } = await this.pool.query<{ k: string }>(
      `SELECT file_key AS k FROM "ff_triggers"."file_arrivals" WHERE trigger_id = $1 AND file_key = ANY($2::text[])`,
      [triggerId, files.map(fileKey)],
    );
    const seen = new Set(rows.map((r) => r.k));
    return files.filter((f) => !seen.has(fileKey(f)));
  }

  /** The catalog's rule for `local` connections (libs/connectors localPathPolicy, the same variables), judged again here: this process lists the files. */
  private localPolicy(): LocalPathPolicy {
    const home = path.resolve(this.common.FLOWFORGE_HOME);
    return (this.policy ??= localPathPolicy({ home, lakeDir: localLakeDir(this.config, home), roots: this.config.FLOWFORGE_LOCAL_CONNECTION_ROOTS }));
  }
}
