import { FlowForgeError } from '@flowforge/service-kit';

/** 401: the delivery is not authenticated (signature missing, wrong, expired or replayed; no token). */
export class WebhookUnauthorizedProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 401, 'Unauthorized', detail);
  }
}

export class WebhookForbiddenProblem extends FlowForgeError {
  constructor(detail: string) {
    super('FF_FORBIDDEN', 403, 'Forbidden', detail);
  }
}

export class WebhookTooLargeProblem extends FlowForgeError {
  constructor(max: number) {
    super('FF_WEBHOOK_TOO_LARGE', 413, 'Payload too large', `the body is larger than the ${max} bytes this trigger accepts`);
  }
}

export class WebhookContentTypeProblem extends FlowForgeError {
  constructor(got: string | undefined) {
    super('FF_WEBHOOK_CONTENT_TYPE', 415, 'Unsupported media type', `send the event as application/json; got "${got ?? '(none)'}"`, [
      { field: 'content-type', message: 'must be application/json' },
    ]);
  }
}

export class WebhookPayloadProblem extends FlowForgeError {
  constructor(code: string, detail: string, errors: { field: string; message: string }[]) {
    super(code, 422, 'Unprocessable payload', detail, errors);
  }
}

export class WebhookRateLimitedProblem extends FlowForgeError {
  constructor(name: string, waitMs: number) {
    super(
      'FF_WEBHOOK_RATE_LIMITED',
      429,
      'Too many requests',
      `trigger ${name} takes no more deliveries right now (its rate limit); retry in ${Math.ceil(waitMs / 1000)} s`,
    );
    this.headers = { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) };
  }
}
