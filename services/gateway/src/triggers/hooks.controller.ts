import { Controller, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblem, uuidParam } from '@flowforge/http';
import { FlowForgeError, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { AccessState } from '../auth/access-state';
import { clientOf, type AuthenticatedRequest } from '../auth/principal';
import { Public, SelfAudited } from '../auth/route-access';
import { TokenVerifier, UnauthenticatedError } from '../auth/token-verifier';
import { HookAcceptedDto, NotificationAcceptedDto } from './trigger.dto';
import { TriggersClient } from './triggers.client';

/** No trigger takes a bigger body (the triggers service applies each trigger's own bound, at most this). */
export const HOOK_MAX_BYTES = 1024 * 1024;

/**
 * Reads webhook deliveries (POST /api/v1/hooks/...) raw into `req.rawBody`, bounded by HOOK_MAX_BYTES
 * (null: larger): their signature covers the exact bytes, so the JSON body parser must not take them;
 * having read the stream to its end makes the parser skip the request. Larger bodies are read and
 * dropped up to 16 MiB (so the sender gets its 413), then the connection is cut.
 */
export function hookRawBody(req: Readable & { method?: string; url?: string; rawBody?: Buffer | null }, _res: unknown, next: (err?: unknown) => void): void {
  if (req.method !== 'POST' || !(req.url ?? '').toLowerCase().startsWith('/api/v1/hooks/')) return next();
  readBounded(req, HOOK_MAX_BYTES).then(
    (body) => {
      req.rawBody = body;
      next();
    },
    (err: unknown) => next(err),
  );
}

/** Bytes read and dropped past the bound so the sender gets its 413; beyond this the connection is cut. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/** The body, or null when larger than `max` (the rest read and dropped, never kept). */
async function readBounded(stream: Readable, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > DRAIN_LIMIT) {
      stream.destroy();
      return null;
    }
    if (size <= max) chunks.push(b);
  }
  return size > max ? null : Buffer.concat(chunks);
}

const FORWARDED = ['x-flowforge-timestamp', 'x-flowforge-signature', 'x-flowforge-delivery', 'idempotency-key'];

/**
 * Webhook deliveries. Access `public` here: the trigger authenticates each delivery itself (HMAC
 * signature, or an API token holding trigger:execute, as the trigger says). A bearer token, when sent,
 * is verified here and its permissions forwarded; the triggers service decides.
 */
@ApiTags('triggers')
@Controller('api/v1/hooks')
export class HooksController {
  constructor(
    private readonly triggers: TriggersClient,
    private readonly verifier: TokenVerifier,
    private readonly state: AccessState,
  ) {}

  @Post(':triggerId')
  @Public()
  // The delivery is recorded by the triggers service as a firing (services/triggers/README.md).
  @SelfAudited()
  @ApiParam({ name: 'triggerId', format: 'uuid' })
  @ApiOperation({
    summary: 'Deliver a webhook event',
    description:
      'The body (a JSON object, at most 1 MiB or the trigger’s `maxBytes`) is the event payload. auth hmac: `X-FlowForge-Signature: sha256=<hex HMAC-SHA256 of "<X-FlowForge-Timestamp>.<body>">`, the timestamp (Unix seconds) within the trigger’s replay window either way, each signature accepted once. auth token: `Authorization: Bearer <API token>` whose holder has trigger:execute (an `Idempotency-Key` header makes a retry start no second run).',
  })
  @ApiHeader({ name: 'X-FlowForge-Timestamp', required: false, description: 'auth hmac: Unix time in seconds' })
  @ApiHeader({ name: 'X-FlowForge-Signature', required: false, description: 'auth hmac: sha256=<hex>' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { order: { id: 7, status: 'paid' } } } })
  @ApiResponse({ status: 202, type: HookAcceptedDto, description: 'Fired: the run is requested' })
  @ApiProblem(401, 'FF_WEBHOOK_SIGNATURE_MISSING / _INVALID, FF_WEBHOOK_TIMESTAMP_EXPIRED, FF_WEBHOOK_REPLAYED, FF_AUTH_REQUIRED (auth token)')
  @ApiProblem(403, 'FF_FORBIDDEN: the API token lacks trigger:execute')
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND: no enabled webhook trigger with this id')
  @ApiProblem(413, 'FF_WEBHOOK_TOO_LARGE')
  @ApiProblem(415, 'FF_WEBHOOK_CONTENT_TYPE: the body must be application/json')
  @ApiProblem(422, 'FF_WEBHOOK_BODY_INVALID, FF_WEBHOOK_PAYLOAD_INVALID (the trigger’s JSON Schema; `errors` names each path), FF_TRIGGER_NOT_MATCHED')
  @ApiProblem(429, 'FF_WEBHOOK_RATE_LIMITED (Retry-After)')
  @ApiProblem(502, 'FF_TRIGGERS_UNREACHABLE: the triggers service did not answer')
  async deliver(
    @Param('triggerId', uuidParam('triggerId')) id: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Req() req: AuthenticatedRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    const body = (req as { rawBody?: Buffer | null }).rawBody;
    if (body === undefined) throw new FlowForgeError('FF_WEBHOOK_BODY_UNREAD', 500, 'Internal error', 'the webhook body was not read raw (a FlowForge bug)');
    if (body === null) throw new FlowForgeError('FF_WEBHOOK_TOO_LARGE', 413, 'Payload too large', `the body is larger than ${HOOK_MAX_BYTES} bytes`);
    if (req.headers.authorization) await this.authenticate(req);
    const forwarded: Record<string, string> = {};
    for (const name of FORWARDED) {
      const v = headers[name];
      if (typeof v === 'string') forwarded[name] = v;
    }
    return this.triggers.forward(
      {
        method: 'POST',
        path: `/hooks/${id}`,
        headers: forwarded,
        stream: {
          contentType: typeof headers['content-type'] === 'string' ? headers['content-type'] : 'application/octet-stream',
          body: Readable.from([body]),
          length: String(body.length),
        },
      },
      req as HttpRequest,
      res,
    );
  }

  @Post(':triggerId/notifications')
  @Public()
  // Recorded by the triggers service: what the source then fires is a firing like any other.
  @SelfAudited()
  @ApiParam({ name: 'triggerId', format: 'uuid' })
  @ApiOperation({
    summary: 'Deliver an object-store event notification',
    description:
      'For a `file` trigger with a `notificationToken`: S3’s event JSON (`Records[].s3.object.key`, as S3-compatible stores and MinIO’s webhook target send it) or the same in an SNS notification envelope, with `Authorization: Bearer <notificationToken>` (not a FlowForge token). Object-created records wake the trigger at once; the objects they name count as complete. At most 1 MiB.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: true,
      example: { Records: [{ eventName: 's3:ObjectCreated:Put', s3: { object: { key: 'in/orders.csv' } } }] },
    },
  })
  @ApiResponse({ status: 202, type: NotificationAcceptedDto, description: 'Taken' })
  @ApiProblem(401, 'FF_NOTIFICATION_TOKEN_INVALID')
  @ApiProblem(404, 'FF_TRIGGER_NOT_FOUND: no enabled trigger with this id takes notifications')
  @ApiProblem(413, 'FF_WEBHOOK_TOO_LARGE')
  @ApiProblem(422, 'FF_NOTIFICATION_INVALID: not S3 event JSON (or an SNS subscription confirmation)')
  @ApiProblem(502, 'FF_TRIGGERS_UNREACHABLE: the triggers service did not answer')
  async notification(
    @Param('triggerId', uuidParam('triggerId')) id: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Req() req: AuthenticatedRequest,
    @Res() res: HttpResponse,
  ): Promise<void> {
    const body = (req as { rawBody?: Buffer | null }).rawBody;
    if (body === undefined)
      throw new FlowForgeError('FF_WEBHOOK_BODY_UNREAD', 500, 'Internal error', 'the notification body was not read raw (a FlowForge bug)');
    if (body === null) throw new FlowForgeError('FF_WEBHOOK_TOO_LARGE', 413, 'Payload too large', `the body is larger than ${HOOK_MAX_BYTES} bytes`);
    // The trigger's own token, passed through as it came (it is no FlowForge credential).
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : '';
    return this.triggers.forward(
      {
        method: 'POST',
        path: `/hooks/${id}/notifications`,
        headers: { authorization },
        stream: { contentType: 'application/json', body: Readable.from([body]), length: String(body.length) },
      },
      req as HttpRequest,
      res,
    );
  }

  /** The bearer's principal with the permissions it holds, as the guard would set it on a protected route. */
  private async authenticate(req: AuthenticatedRequest): Promise<void> {
    await this.state.ready();
    const principal = await this.verifier.verify(req.headers.authorization);
    if (principal.actor.sessionId && this.state.isRevoked(principal.actor.sessionId)) {
      throw new UnauthenticatedError('FF_AUTH_SESSION_ENDED', 'this session has ended (signed out or revoked): sign in again');
    }
    const granted = principal.scopes ?? this.state.permissionsOf(principal.roles);
    req.principal = { ...principal, actor: { ...principal.actor, ...clientOf(req), permissions: [...granted].sort() } };
  }
}
