import { timingSafeEqual } from 'node:crypto';
import { Controller, Headers, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { actorFromHeaders } from '@flowforge/access';
import { uuidParam } from '@flowforge/http';
import { FlowForgeError, LOGGER, servicePoolToken, type FlowForgeLogger, type HttpRequest } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { EVENT_SOURCES, NOTIFICATION_TOKEN_FIELD, type EventSource } from '../core/event-source';
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
import { payloadValidator, WEBHOOK_MAX_BYTES, webhookConfigSchema, type WebhookConfig } from './webhook.source';
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
    @Inject(EVENT_SOURCES) private readonly sources: EventSource[],
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

  /**
   * Object-store event notifications for a pull source that takes them (`notify`; today `file`): S3's
   * event JSON (`Records[].s3.object.key`, as S3-compatible stores and MinIO's webhook target send it) or
   * the same inside an SNS notification envelope. Authenticated by the trigger's `notificationToken`
   * (`Authorization: Bearer <token>`, compared in constant time). Object-created records wake the trigger's
   * source at once; it fires what it then finds (202 either way, with what was taken).
   */
  @Post(':id/notifications')
  @HttpCode(202)
  async notification(
    @Param('id', uuidParam('triggerId')) id: string,
    @Headers() headers: RequestHeaders,
    @Req() req: HttpRequest,
  ): Promise<{ objects: number; polledNow: boolean }> {
    const body = (req as RawBodyRequest).rawBody;
    if (body === undefined)
      throw new FlowForgeError('FF_WEBHOOK_BODY_UNREAD', 500, 'Internal error', 'the notification body was not read raw (a FlowForge bug)');
    const t = await this.store.byId(this.pool, id);
    const source = t ? this.sources.find((s) => s.type === t.type) : undefined;
    const sealed = t?.secrets[NOTIFICATION_TOKEN_FIELD];
    if (!t || !t.enabled || !source?.notify || !sealed) {
      throw new FlowForgeError(
        'FF_TRIGGER_NOT_FOUND',
        404,
        'Not found',
        `no enabled trigger with id ${id} takes notifications (a file trigger with a notificationToken)`,
      );
    }
    if (body === null) throw new WebhookTooLargeProblem(WEBHOOK_MAX_BYTES);
    const expected = Buffer.from(this.box.open(sealed, `trigger/${t.id}/${NOTIFICATION_TOKEN_FIELD}`));
    const sent = Buffer.from((one(headers.authorization) ?? '').replace(/^Bearer\s+/i, ''));
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
      this.logger.warn({ module: 'triggers', triggerId: t.id }, `FF_NOTIFICATION_TOKEN_INVALID: a notification to ${t.name} was refused`);
      throw new WebhookUnauthorizedProblem(
        'FF_NOTIFICATION_TOKEN_INVALID',
        `notifications to ${t.name} carry its notificationToken: Authorization: Bearer <token>`,
      );
    }
    const keys = objectKeysOf(body);
    const polledNow = keys.length > 0 && source.notify(t.id, keys);
    return { objects: keys.length, polledNow };
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

/**
 * The object keys an object-store notification names as created: S3's event JSON (`Records`), or an SNS
 * notification whose `Message` is that JSON. At most 1000; a body that is neither is a 422 naming it.
 */
export function objectKeysOf(body: Buffer): string[] {
  const invalid = (why: string): WebhookPayloadProblem =>
    new WebhookPayloadProblem('FF_NOTIFICATION_INVALID', `not an object-store event notification: ${why}`, [{ field: 'payload', message: why }]);
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('the body is not JSON');
  }
  let event = doc as { Type?: unknown; Message?: unknown; Records?: unknown };
  if (event?.Type === 'SubscriptionConfirmation') {
    throw invalid('an SNS subscription confirmation: confirm it by opening its SubscribeURL (FlowForge makes no call out for it)');
  }
  if (event?.Type === 'Notification' && typeof event.Message === 'string') {
    try {
      event = JSON.parse(event.Message) as typeof event;
    } catch {
      throw invalid('the SNS Message is not JSON');
    }
  }
  if (!event || typeof event !== 'object' || !Array.isArray(event.Records)) throw invalid('no Records list');
  const keys: string[] = [];
  for (const r of event.Records.slice(0, 1000) as { eventName?: unknown; s3?: { object?: { key?: unknown } } }[]) {
    const name = typeof r?.eventName === 'string' ? r.eventName : '';
    const key = r?.s3?.object?.key;
    if (!/^(s3:)?ObjectCreated:/.test(name) || typeof key !== 'string' || key.length > 1024) continue;
    // Keys arrive URL-encoded, spaces as "+".
    try {
      keys.push(decodeURIComponent(key.replace(/\+/g, ' ')));
    } catch {
      keys.push(key);
    }
  }
  return keys;
}
