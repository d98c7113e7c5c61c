import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 's'.repeat(40);
  const body = Buffer.from('{"a":1}');
  const now = 1_767_225_600_000;
  const ts = String(now / 1000);

  it('accepts sha256=<hex> of "<timestamp>.<body>" within the window, either way', () => {
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: signWebhook(secret, ts, body) }, body, now, 300)).toEqual({
      ok: true,
      signature: signWebhook(secret, ts, body).slice(7),
    });
    const early = String(now / 1000 - 300);
    expect(verifyWebhookSignature(secret, { timestamp: early, signature: signWebhook(secret, early, body) }, body, now, 300).ok).toBe(true);
    const late = String(now / 1000 + 300);
    expect(verifyWebhookSignature(secret, { timestamp: late, signature: signWebhook(secret, late, body) }, body, now, 300).ok).toBe(true);
  });

  it('refuses a timestamp outside the window (past or future), naming how far it is', () => {
    for (const skew of [-301, 301]) {
      const t = String(now / 1000 + skew);
      expect(verifyWebhookSignature(secret, { timestamp: t, signature: signWebhook(secret, t, body) }, body, now, 300)).toEqual({
        ok: false,
        code: 'FF_WEBHOOK_TIMESTAMP_EXPIRED',
        reason: expect.stringContaining('301 s from now'),
      });
    }
  });

  it('refuses another secret, another body, another timestamp, a malformed or missing header', () => {
    const good = signWebhook(secret, ts, body);
    const code = (v: ReturnType<typeof verifyWebhookSignature>) => (v.ok ? 'ok' : v.code);
    expect(code(verifyWebhookSignature('t'.repeat(40), { timestamp: ts, signature: good }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhookSignature(secret, { timestamp: ts, signature: good }, Buffer.from('{"a":2}'), now, 300))).toBe('FF_WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhookSignature(secret, { timestamp: String(now / 1000 + 1), signature: good }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhookSignature(secret, { timestamp: ts, signature: good.slice(7) }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhookSignature(secret, { timestamp: ts, signature: 'sha256=zz' }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhookSignature(secret, { timestamp: 'yesterday', signature: good }, body, now, 300))).toBe('FF_WEBHOOK_TIMESTAMP_INVALID');
    expect(code(verifyWebhookSignature(secret, { signature: good }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_MISSING');
    expect(code(verifyWebhookSignature(secret, { timestamp: ts }, body, now, 300))).toBe('FF_WEBHOOK_SIGNATURE_MISSING');
  });
});
