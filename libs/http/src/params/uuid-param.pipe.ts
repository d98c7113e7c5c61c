import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationProblem } from '@flowforge/service-kit';

/** `@Param('id', uuidParam())`: a malformed id is a 400 naming the parameter, like every other field. */
export function uuidParam(field = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => new ValidationProblem([{ field, message: 'must be a UUID' }]) });
}
