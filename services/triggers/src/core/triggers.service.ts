import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { principalName, type Actor } from '@flowforge/access';
import { withTransaction } from '@flowforge/db';
import type { SaveTriggerRequest, TestTriggerRequest } from '@flowforge/http';
import { fieldErrorsOf, FlowForgeError, LOGGER, servicePoolToken, ValidationProblem, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { EVENT_SOURCES, type EventSource } from './event-source';
import { mappingProblems } from './param-mapping';
import { SECRET_BOX } from './secret-box.provider';
import type { SecretBox, SealedValue } from './secret-box';
import { triggerNotFound, TriggerCreateForbiddenProblem, TriggerTypeUnknownProblem } from './trigger.errors';
import { TriggerFirer, type Evaluation, type FiringTrigger } from './trigger.firer';
import { TriggerRuntime } from './trigger.runtime';
import { TriggerStore, type TriggerRecord } from './trigger.store';
import { firingView, triggerView, type FiringView, type TriggerView } from './trigger.views';

export interface SavedTrigger {
  trigger: TriggerView;
  created: boolean;
  /** A webhook HMAC secret the platform generated: answered this once, never again. */
  generatedSecret: string | null;
}

export interface TriggerTypeView {
  type: string;
  /** JSON Schema (2020-12) of the type's `config`, from its zod configSchema. */
  configSchema: Record<string, unknown>;
  secretFields: string[];
}

const secretContext = (triggerId: string, field: string): string => `trigger/${triggerId}/${field}`;

/** Triggers as the API manages them: create or replace, delete, firings, test, and the types on offer. */
@Injectable()
export class TriggersService {
  private readonly sources: Map<string, EventSource>;

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    @Inject(EVENT_SOURCES) sources: EventSource[],
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly store: TriggerStore,
    private readonly firer: TriggerFirer,
    private readonly runtime: TriggerRuntime,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {
    this.sources = new Map(sources.map((s) => [s.type, s]));
  }

  types(): TriggerTypeView[] {
    return [...this.sources.values()]
      .sort((a, b) => a.type.localeCompare(b.type))
      .map((s) => ({
        type: s.type,
        configSchema: z.toJSONSchema(s.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
        secretFields: [...(s.secretFields ?? [])],
      }));
  }

  async list(): Promise<TriggerView[]> {
    return (await this.store.list(this.pool)).map(triggerView);
  }

  async get(name: string): Promise<TriggerView> {
    return triggerView(await this.find(name));
  }

  async save(name: string, body: SaveTriggerRequest, actor: Actor): Promise<SavedTrigger> {
    const source = this.sources.get(body.type);
    if (!source) throw new TriggerTypeUnknownProblem(body.type, [...this.sources.keys()].sort());
    // Reaching private networks is an admin's decision, as for connections (docs/architecture.md, Security model).
    if ((body.config as { allowPrivateNetworks?: unknown }).allowPrivateNetworks === true && !actor.permissions?.includes('settings:configure-system')) {
      throw new FlowForgeError(
        'FF_FORBIDDEN',
        403,
        'Forbidden',
        'config.allowPrivateNetworks: reaching private, loopback or link-local addresses needs settings:configure-system',
      );
    }
    const paramIssues = mappingProblems(body.params);
    if (paramIssues.length) throw new ValidationProblem(paramIssues);
    const by = principalName(actor);
    const result = await withTransaction(this.pool, async (tx) => {
      const existing = await this.store.byName(tx, name, true);
      if (!existing && !actor.permissions?.includes('trigger:create')) throw new TriggerCreateForbiddenProblem(name);
      const id = existing?.id ?? randomUUID();
      const { config, secrets, generatedSecret } = this.checkConfig(id, source, body.config, existing?.type === body.type ? existing : null);
      source.validate?.({ id, name, workflow: body.workflow, type: body.type, config });
      const fields = {
        description: body.description ?? null,
        workflow: body.workflow,
        type: body.type,
        config,
        secrets,
        params: body.params,
        enabled: body.enabled,
      };
      const saved = existing
        ? await this.store.update(tx, id, { ...fields, updatedBy: by })
        : await this.store.insert(tx, { id, name, ...fields, createdBy: by });
      return { saved, created: !existing, generatedSecret, replaced: existing };
    });
    this.logger.info(
      { module: 'triggers', triggerId: result.saved.id, trigger: name, type: body.type, version: result.saved.version, by },
      `trigger ${name} ${result.created ? 'created' : 'updated'} (version ${result.saved.version})`,
    );
    this.runtime.poke();
    if (result.replaced && result.replaced.type !== body.type) await this.release(result.replaced);
    return { trigger: triggerView(result.saved), created: result.created, generatedSecret: result.generatedSecret };
  }

  async delete(name: string, actor: Actor): Promise<void> {
    const t = await this.find(name);
    await this.store.delete(this.pool, t.id);
    this.logger.info({ module: 'triggers', triggerId: t.id, trigger: name, by: principalName(actor) }, `trigger ${name} deleted`);
    this.runtime.poke();
    await this.release(t);
  }

  /** What the trigger's source keeps outside this service (a CDC connector and its slot): released once it is gone or changed type. */
  private async release(t: TriggerRecord): Promise<void> {
    const source = this.sources.get(t.type);
    if (!source?.remove) return;
    const parsed = source.configSchema.safeParse(t.config);
    try {
      await source.remove({ id: t.id, name: t.name, workflow: t.workflow, type: t.type, config: parsed.success ? parsed.data : t.config });
    } catch (err) {
      this.logger.warn(
        { module: 'triggers', triggerId: t.id, trigger: t.name, type: t.type },
        `FF_TRIGGER_RELEASE_FAILED: what trigger ${t.name} held outside this service was not all released: ${(err as Error).message}`,
      );
    }
  }

  async firings(name: string, page: { limit: number; offset: number }): Promise<{ items: FiringView[]; total: number; limit: number; offset: number }> {
    const t = await this.find(name);
    const { items, total } = await this.store.firings(this.pool, t.id, page);
    return { items: items.map(firingView), total, limit: page.limit, offset: page.offset };
  }

  /** What the sample event would do: matched or why not, and the run parameters. Records nothing, starts no run. */
  async test(name: string, body: TestTriggerRequest): Promise<Evaluation> {
    const t = await this.find(name);
    return this.firer.evaluate(firingTriggerOf(t), { payload: body.payload, meta: body.meta });
  }

  /** The config `start` receives: the stored one with its secrets opened. */
  withSecrets(t: TriggerRecord): Record<string, unknown> {
    const config: Record<string, unknown> = { ...t.config };
    for (const [field, sealed] of Object.entries(t.secrets)) config[field] = this.box.open(sealed, secretContext(t.id, field));
    return config;
  }

  private async find(name: string): Promise<TriggerRecord> {
    const t = await this.store.byName(this.pool, name);
    if (!t) throw triggerNotFound(name);
    return t;
  }

  /**
   * Validates `config` with the type's schema, secrets included: a secret field left out (or sent back as
   * `{ "set": true }`) keeps the stored value. Answers the config to store (no secrets) and the secrets sealed.
   */
  private checkConfig(
    id: string,
    source: EventSource,
    input: Record<string, unknown>,
    existing: TriggerRecord | null,
  ): { config: Record<string, unknown>; secrets: Record<string, SealedValue>; generatedSecret: string | null } {
    const secretFields = source.secretFields ?? [];
    const merged: Record<string, unknown> = { ...input };
    const kept = new Set<string>();
    for (const field of secretFields) {
      const given = merged[field];
      const keep = given === undefined || (typeof given === 'object' && given !== null && (given as { set?: unknown }).set === true);
      if (!keep) continue;
      delete merged[field];
      const stored = existing?.secrets[field];
      if (stored) {
        merged[field] = this.box.open(stored, secretContext(id, field));
        kept.add(field);
      }
    }
    // A webhook switched to token auth drops the HMAC secret it kept (one it is sent is still refused, naming it).
    if (source.type === 'webhook' && merged.auth === 'token' && kept.has('secret')) delete merged.secret;
    let generatedSecret: string | null = null;
    // A webhook signed with HMAC and given no secret gets one, answered once.
    if (source.type === 'webhook' && (merged.auth ?? 'hmac') === 'hmac' && merged.secret === undefined) {
      generatedSecret = `whsec_${randomBytes(32).toString('base64url')}`;
      merged.secret = generatedSecret;
    }
    const parsed = source.configSchema.safeParse(merged);
    if (!parsed.success) throw new ValidationProblem(fieldErrorsOf(parsed.error, 'config'));
    const config = { ...(parsed.data as Record<string, unknown>) };
    const secrets: Record<string, SealedValue> = {};
    for (const field of secretFields) {
      const value = config[field];
      delete config[field];
      if (typeof value === 'string') secrets[field] = this.box.seal(value, secretContext(id, field));
    }
    return { config, secrets, generatedSecret };
  }
}

export function firingTriggerOf(t: TriggerRecord, config: Record<string, unknown> = t.config): FiringTrigger {
  return { id: t.id, name: t.name, workflow: t.workflow, type: t.type, config, params: t.params };
}
