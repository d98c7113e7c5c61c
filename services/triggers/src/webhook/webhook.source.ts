import { Injectable } from '@nestjs/common';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import type { EventSource, SourceHandle } from '../core/event-source';

/** The largest webhook body any trigger may accept (1 MiB). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

const ajv = new Ajv2020({ allErrors: true, strict: false });

export const webhookConfigSchema = z
  .strictObject({
    auth: z
      .enum(['hmac', 'token'])
      .default('hmac')
      .describe(
        'hmac: the sender signs `<timestamp>.<body>` with the shared secret (X-FlowForge-Timestamp, X-FlowForge-Signature: sha256=<hex>); token: an API token (Authorization: Bearer) whose holder has trigger:execute',
      ),
    secret: z
      .string()
      .min(32, 'must be at least 32 characters')
      .max(512, 'must be at most 512 characters')
      .optional()
      .describe('hmac only: the shared secret. Left out on create, one is generated and answered once; stored encrypted, never answered'),
    replayWindowSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe('hmac: a timestamp further than this from now, in either direction, is refused'),
    maxBytes: z.number().int().min(1).max(WEBHOOK_MAX_BYTES).default(WEBHOOK_MAX_BYTES).describe('largest body accepted (413 beyond)'),
    rateLimit: z
      .strictObject({
        perMinute: z.number().int().min(1).max(600_000).default(600).describe('tokens refilled per minute'),
        burst: z.number().int().min(1).max(10_000).default(60).describe('tokens at most (requests at once)'),
      })
      .default({ perMinute: 600, burst: 60 })
      .describe('token bucket per trigger and replica; beyond it 429'),
    schema: z
      .record(z.string(), z.unknown())
      .optional()
      .refine((s) => s === undefined || compiles(s), 'must be a JSON Schema (draft 2020-12) ajv can compile')
      .describe('JSON Schema the payload must satisfy (422 naming the failing path)'),
  })
  .superRefine((c, ctx) => {
    if (c.auth === 'hmac' && c.secret === undefined) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is required with auth hmac' });
    if (c.auth === 'token' && c.secret !== undefined) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'must be left out with auth token' });
  });
export type WebhookConfig = z.output<typeof webhookConfigSchema>;

function compiles(schema: Record<string, unknown>): boolean {
  try {
    ajv.compile(schema);
    return true;
  } catch {
    return false;
  }
}

/** The payload validator of a schema: compiled once per trigger version by the caller. */
export function payloadValidator(schema: Record<string, unknown>): (payload: unknown) => { field: string; message: string }[] {
  const validate = ajv.compile(schema);
  return (payload) => {
    if (validate(payload)) return [];
    return (validate.errors ?? []).map((e) => {
      const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
      const pointer = `${e.instancePath}${missing}`;
      const field = `payload${pointer
        .split('/')
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
        .join('')}`;
      return { field, message: e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid') };
    });
  };
}

/**
 * `webhook`: a push source. Deliveries arrive at POST /api/v1/hooks/{triggerId} (webhook.controller.ts),
 * which authenticates, bounds and checks them and fires the trigger; there is nothing to start.
 */
@Injectable()
export class WebhookSource implements EventSource<WebhookConfig> {
  readonly type = 'webhook';
  readonly configSchema = webhookConfigSchema;
  readonly secretFields = ['secret'] as const;

  start(): Promise<SourceHandle> {
    return Promise.resolve({ stop: () => Promise.resolve() });
  }
}
