import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime } from '@flowforge/service-kit';
import type { TriggersConfig } from '../triggers.config';

/** A connection with its secrets, as the catalog's executor-only route answers it (never log it). */
export interface ConnectionWithSecrets {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
}

/**
 * Reads a catalog connection, secrets included, for a file-arrival trigger: through the catalog's
 * executor-only route (GET /internal/catalog/executor/connections/by-name/{name}), with the internal
 * token and the executor credential (FLOWFORGE_EXECUTOR_TOKEN, which this service must hold like the
 * executors do). The catalog audits each read as executor `triggers`, run `trigger:<id>`, step `watch`.
 * Read once per source start, not per poll.
 */
@Injectable()
export class CatalogConnectionClient {
  constructor(
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
    @Inject(serviceConfigToken('triggers')) private readonly config: TriggersConfig,
  ) {}

  async connection(name: string, triggerId: string, signal?: AbortSignal): Promise<ConnectionWithSecrets> {
    const base = (this.config.FLOWFORGE_CATALOG_URL ?? this.runtime.defaultServiceUrl('catalog')).replace(/\/$/, '');
    const res = await fetch(`${base}/internal/catalog/executor/connections/by-name/${encodeURIComponent(name)}`, {
      headers: {
        accept: 'application/json',
        ...this.runtime.executorHeaders(),
        'x-flowforge-executor': 'triggers',
        'x-flowforge-run-id': `trigger:${triggerId}`,
        'x-flowforge-step-id': 'watch',
        'x-flowforge-attempt': '1',
      },
      signal,
    });
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as ConnectionWithSecrets;
    let detail = text.slice(0, 500);
    try {
      const p = JSON.parse(text) as { code?: string; detail?: string };
      detail = `${p.code ?? res.status}: ${p.detail ?? ''}`;
    } catch {
      // not problem+json
    }
    throw new Error(`FF_TRIGGER_CONNECTION_UNREADABLE: reading connection "${name}" from the catalog answered ${res.status} ${detail}`);
  }
}
