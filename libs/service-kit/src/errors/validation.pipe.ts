import { ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import { assertSafeText } from '../http/request-input.check';
import { ValidationProblem } from './problem';

/** The largest value a PostgreSQL `integer` holds: the bound of every integer a path or query names. */
export const INT32_MAX = 2_147_483_647;

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * class-validator's pipe, after a check every route shares: a path parameter holds no NUL and no lone
 * surrogate (the query and the body were checked by requestInputCheck before any guard ran; path
 * parameters exist only once a route matched).
 */
class FlowForgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') assertSafeText(value, metadata.data ?? 'path');
    return super.transform(value, metadata);
  }
}

/** DTO validation (class-validator) whose failures become 400 problem+json naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new FlowForgeValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new ValidationProblem(flatten(errors)),
  });
}

/**
 * `@Param('version', new IntParamPipe('version'))`: a decimal integer within [min, max], else 400 naming
 * the parameter (Nest's ParseIntPipe let 2147483648 through to a PostgreSQL `integer` column: a 500).
 */
export class IntParamPipe implements PipeTransform<unknown, number> {
  constructor(
    private readonly field: string,
    private readonly min = 1,
    private readonly max = INT32_MAX,
  ) {}

  transform(value: unknown): number {
    const text = typeof value === 'string' ? value : String(value);
    const n = /^-?\d{1,12}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < this.min || n > this.max) {
      throw new ValidationProblem([{ field: this.field, message: `must be an integer from ${this.min} to ${this.max}` }]);
    }
    return n;
  }
}
