import { Controller, Headers, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { actorFromHeaders } from '@flowforge/access';
import { uuidParam } from '@flowforge/http';
import { FlowForgeError, LOGGER, servicePoolToken, type FlowForgeLogger, type HttpRequest } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { SECRET_BOX } from '../core/secret-box.provider';
import type { SecretBox } from '../core/secret-box';
import { TriggerFirer } from '../core/trigger.firer';
import { TriggerStore, type TriggerRecord } from '../core/trigger.store';
import { firingTriggerOf } from '../core/triggers.service';
import type { RawBodyRequest } from './webhook-body';
import {
  WebhookContentTypeProblem,
  WebhookForbiddenProblem,
  WebhookPayloadProblem,
  WebhookRateLimitedProblem,
  WebhookTooLargeProblem,
  WebhookUnauthorizedProblem,
} from './webhook.errors';
import { payloadValidator, webhookConfigSchema, type WebhookConfig } from './webhook.source';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from './webhook-signature';
import { TokenBuckets } from './token-bucket';

/** The clock deliveries are judged by (timestamps, rate limits); tests provide their own. */
export const WEBHOOK_CLOCK = Symbol('WEBHOOK_CLOCK');

type RequestHeaders = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export interface DeliveryAnswer {
  runId: string;
  firingId: string;
}

/**
 * Webhook deliveries (the gateway's public POST /api/v1/hooks/{triggerId}, access `public` there: the
 * trigger authenticates). In order: the trigger exists and is an enabled webhook (404), the body is JSON
 * (415) and within the trigger's bound (413), the delivery is authenticated — HMAC signature in the
 * replay window, or an API token holding trigger:execute (401/403) —, within the rate limit (429),
 * a JSON object satisfying the trigger's schema (422), and then fired (202). A signature is accepted
 * once: its replay is a duplicate firing key, refused with 401.
 */
@Controller('internal/triggers/hooks')
export class WebhookController {
  private readonly buckets: TokenBuckets;
  private readonly validators = new Map<string, { version: number; validate: ReturnType<typeof payloadValidator> }>();

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    private readonly store: TriggerStore,
    private readonly firer: TriggerFirer,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(WEBHOOK_CLOCK) private readonly now: () => number,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {
    this.buckets = new TokenBuckets(now);
  }

  @Post(':id')
  @HttpCode(202)
  async deliver(@Param('id', uuidParam('triggerId')) id: string, @Headers() headers: RequestHeaders, @Req() req: HttpRequest): Promise<DeliveryAnswer> {
    // Read by webhookRawBody (triggers.definition.ts) before the JSON parser could take it.
    const body = (req as RawBodyRequest).rawBody;
    if (body === undefined) throw new FlowForgeError('FF_WEBHOOK_BODY_UNREAD', 500, 'Internal error', 'the webhook body was not read raw (a FlowForge bug)');
    const t = await this.store.byId(this.pool, id);
    if (!t || t.type !== 'webhook' || !t.enabled) {
      throw new FlowForgeError('FF_TRIGGER_NOT_FOUND', 404, 'Not found', `no enabled webhook trigger has id ${id}`);
    }
    const config = webhookConfigSchema.parse({
      ...t.config,
      ...(t.secrets.secret ? { secret: this.box.open(t.secrets.secret, `trigger/${t.id}/secret`) } : {}),
    });
    if (body === null || body.length > config.maxBytes) throw new WebhookTooLargeProblem(config.maxBytes);
    const contentType = one(headers['content-type']);
    if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType ?? '')) throw new WebhookContentTypeProblem(contentType);
    const dedupKey = this.authenticate(t, config, headers, body);
    const wait = this.buckets.take(t.id, config.rateLimit.perMinute, config.rateLimit.burst);
    if (wait > 0) throw new WebhookRateLimitedProblem(t.name, wait);
    const payload = this.parse(t, config, body);
    const outcome = await this.firer.fire(firingTriggerOf(t), { payload, dedupKey, meta: this.metaOf(headers) });
    if (!outcome.runId) {
      if (outcome.reason.startsWith('duplicate of')) {
        if (config.auth === 'hmac')
          throw new WebhookUnauthorizedProblem('FF_WEBHOOK_REPLAYED', `this signature was accepted once already (${outcome.reason}): sign each delivery anew`);
        // The same Idempotency-Key again: the first delivery's answer.
        const earlier = dedupKey ? await this.store.firingByKey(this.pool, t.id, dedupKey) : null;
        if (earlier?.runId) return { runId: earlier.runId, firingId: earlier.id };
        throw new WebhookPayloadProblem(
          'FF_TRIGGER_NOT_MATCHED',
          `a delivery with this Idempotency-Key was recorded (firing ${outcome.firingId}) and started no run: ${earlier?.reason ?? outcome.reason}`,
          [],
        );
      }
      throw new WebhookPayloadProblem(
        'FF_TRIGGER_NOT_MATCHED',
        `the delivery was recorded (firing ${outcome.firingId}) but starts no run: ${outcome.reason}`,
        [],
      );
    }
    return { runId: outcome.runId, firingId: outcome.firingId };
  }

  /** The dedup key of an authenticated delivery: its signature (hmac), or its Idempotency-Key (token). */
  private authenticate(t: TriggerRecord, config: WebhookConfig, headers: RequestHeaders, body: Buffer): string | undefined {
    if (config.auth === 'hmac') {
      const verdict = verifyWebhookSignature(
        config.secret!,
        { timestamp: one(headers[TIMESTAMP_HEADER]), signature: one(headers[SIGNATURE_HEADER]) },
        body,
        this.now(),
        config.replayWindowSeconds,
      );
      if (!verdict.ok) {
        this.logger.warn({ module: 'triggers', triggerId: t.id, code: verdict.code }, `${verdict.code}: webhook delivery to ${t.name} refused`);
        throw new WebhookUnauthorizedProblem(verdict.code, verdict.reason);
      }
      return `signature:${verdict.signature}`;
    }
    const actor = actorFromHeaders(headers);
    if (actor.type === 'anonymous') {
      throw new WebhookUnauthorizedProblem('FF_AUTH_REQUIRED', `trigger ${t.name} takes deliveries with an API token: send Authorization: Bearer <token>`);
    }
    if (!actor.permissions?.includes('trigger:execute')) {
      throw new WebhookForbiddenProblem(`the caller (${actor.name}) does not hold trigger:execute, which deliveries to ${t.name} need`);
    }
    const key = one(headers['idempotency-key']);
    return key ? `idempotency:${key.slice(0, 200)}` : undefined;
  }

  private parse(t: TriggerRecord, config: WebhookConfig, body: Buffer): Record<string, unknown> {
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new WebhookPayloadProblem('FF_WEBHOOK_BODY_INVALID', `the body is not JSON: ${(err as Error).message}`, [
        { field: 'payload', message: 'must be JSON' },
      ]);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new WebhookPayloadProblem('FF_WEBHOOK_BODY_INVALID', 'the body must be a JSON object', [{ field: 'payload', message: 'must be a JSON object' }]);
    }
    if (config.schema) {
      let cached = this.validators.get(t.id);
      if (!cached || cached.version !== t.version) {
        cached = { version: t.version, validate: payloadValidator(config.schema) };
        this.validators.set(t.id, cached);
      }
      const errors = cached.validate(payload);
      if (errors.length) {
        throw new WebhookPayloadProblem('FF_WEBHOOK_PAYLOAD_INVALID', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
      }
    }
    return payload as Record<string, unknown>;
  }

  private metaOf(headers: RequestHeaders): Record<string, string> {
    const meta: Record<string, string> = {};
    const delivery = one(headers['x-flowforge-delivery']);
    if (delivery) meta.delivery = delivery.slice(0, 200);
    const ua = one(headers['x-flowforge-client-user-agent']);
    if (ua) meta['header.user-agent'] = ua.slice(0, 200);
    return meta;
  }
}
