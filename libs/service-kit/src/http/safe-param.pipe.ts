import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { assertSafeText } from './request-input.check';

/**
 * The global pipe of every host: a path parameter holds no NUL and no lone surrogate (the query and the
 * body were checked by requestInputCheck before any guard ran; path parameters exist only once a route
 * matched). Bodies and queries are parsed by the route's ZodPipe (http/zod-validation.ts).
 */
export class SafeParamPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'param') assertSafeText(value, metadata.data ?? 'path');
    return value;
  }
}
