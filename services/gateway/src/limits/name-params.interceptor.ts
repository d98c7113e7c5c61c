import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ValidationProblem, type HttpRequest } from '@flowforge/service-kit';
import type { Observable } from 'rxjs';

/**
 * What a name in a public path may be: workflow, job, role and job-type names all fit (each service
 * checks its own, narrower rule); `.`, `..`, `/`, `%`, `\`, NUL and the like do not, so no name can
 * change the internal route it is forwarded to.
 */
export const PATH_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Path parameters that carry a name (ids and versions have pipes of their own: UUID, bounded integer). */
const isNameParam = (param: string): boolean => param === 'name' || param === 'type' || param.endsWith('Name');

/**
 * Global at the gateway: every name parameter of a public route is checked before the handler runs,
 * whatever the route's own decorators say — a 400 naming the parameter.
 */
@Injectable()
export class NameParamsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<HttpRequest>();
      if (/^\/api\//i.test(req.url ?? '')) {
        const errors = Object.entries(req.params ?? {})
          .filter(([param, value]) => isNameParam(param) && !PATH_NAME.test(value))
          .map(([param]) => ({ field: param, message: 'must be a name: 1 to 128 letters, digits, "_", "." or "-", starting with a letter or digit' }));
        if (errors.length) throw new ValidationProblem(errors);
      }
    }
    return next.handle();
  }
}
