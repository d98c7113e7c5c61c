import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-flowforge-timestamp';
export const SIGNATURE_HEADER = 'x-flowforge-signature';

export type SignatureVerdict = { ok: true; signature: string } | { ok: false; code: string; reason: string };

/** `sha256=<hex>` over `<timestamp>.<body>`, as a sender computes it. */
export function signWebhook(secret: string, timestamp: number | string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Checks a delivery's signature: the timestamp (Unix seconds) within `windowSeconds` of `nowMs` either way,
 * the HMAC-SHA256 equal in constant time. The signature is answered for the replay check.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: Buffer,
  nowMs: number,
  windowSeconds: number,
): SignatureVerdict {
  if (!headers.timestamp || !headers.signature) {
    return {
      ok: false,
      code: 'FF_WEBHOOK_SIGNATURE_MISSING',
      reason: `sign the delivery: headers X-FlowForge-Timestamp and X-FlowForge-Signature (sha256=<hex>) are required`,
    };
  }
  if (!/^\d{1,12}$/.test(headers.timestamp)) {
    return { ok: false, code: 'FF_WEBHOOK_TIMESTAMP_INVALID', reason: 'X-FlowForge-Timestamp must be Unix time in seconds' };
  }
  const skew = Math.abs(nowMs / 1000 - Number(headers.timestamp));
  if (skew > windowSeconds) {
    return {
      ok: false,
      code: 'FF_WEBHOOK_TIMESTAMP_EXPIRED',
      reason: `X-FlowForge-Timestamp is ${Math.round(skew)} s from now, more than the ${windowSeconds} s allowed: sign with the current time`,
    };
  }
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(headers.signature);
  const expected = createHmac('sha256', secret).update(`${headers.timestamp}.`).update(body).digest();
  if (!m || !timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected)) {
    return {
      ok: false,
      code: 'FF_WEBHOOK_SIGNATURE_INVALID',
      reason: 'X-FlowForge-Signature is not the HMAC-SHA256 of "<timestamp>.<body>" with this trigger\'s secret',
    };
  }
  return { ok: true, signature: m[1]!.toLowerCase() };
}
