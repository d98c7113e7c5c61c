import type { PipeTransform } from '@nestjs/common';
import { ValidationProblem } from '@flowforge/service-kit';

/** The largest value a PostgreSQL `integer` holds: the bound of every integer a path or query names. */
export const INT32_MAX = 2_147_483_647;

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
