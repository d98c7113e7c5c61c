import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { FlowForgeError, PROBLEM_CONTENT_TYPE, problemType, type ProblemDetails } from './problem';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'FF_BAD_REQUEST',
  401: 'FF_UNAUTHENTICATED',
  403: 'FF_FORBIDDEN',
  404: 'FF_NOT_FOUND',
  405: 'FF_METHOD_NOT_ALLOWED',
  409: 'FF_CONFLICT',
  413: 'FF_PAYLOAD_TOO_LARGE',
  415: 'FF_UNSUPPORTED_MEDIA_TYPE',
  429: 'FF_RATE_LIMITED',
};

/** BAD_REQUEST → "Bad Request". */
function reasonPhrase(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name ? name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase()) : 'Error';
}

/** Every HTTP error leaves as RFC 9457 problem+json; unexpected errors are logged and answer a bare 500. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<HttpResponse>();
    const problem = this.toProblem(exception, req.originalUrl ?? req.url ?? '');
    if (problem.status >= 500) this.logger.error(exception instanceof Error ? exception : String(exception));
    if (res.headersSent) return;
    res.statusCode = problem.status;
    const headers =
      exception instanceof FlowForgeError
        ? exception.headers
        : exception instanceof HttpException && exception.cause instanceof FlowForgeError
          ? exception.cause.headers
          : undefined;
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    res.end(JSON.stringify(problem));
  }

  private toProblem(thrown: unknown, instance: string): ProblemDetails {
    // Nest wraps an http-errors-shaped error of a middleware (a body parser's verify hook throwing a
    // FlowForgeError) in an HttpException: the cause is the problem to answer.
    const exception = thrown instanceof HttpException && thrown.cause instanceof FlowForgeError ? thrown.cause : thrown;
    if (exception instanceof FlowForgeError) {
      return {
        type: problemType(exception.code),
        title: exception.title,
        status: exception.status,
        detail: exception.message,
        instance,
        code: exception.code,
        ...(exception.fieldErrors ? { errors: exception.fieldErrors } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'FF_INTERNAL' : 'FF_HTTP_ERROR');
      const body = exception.getResponse();
      const detail =
        typeof body === 'object' && body !== null && 'message' in body ? [(body as { message: unknown }).message].flat().join('; ') : exception.message;
      return { type: problemType(code), title: reasonPhrase(status), status, detail, instance, code };
    }
    // A body-parser error (bad JSON) carries status/type but is no HttpException.
    const parserStatus = (exception as { status?: unknown; type?: unknown })?.status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      const code = parserStatus === 400 ? 'FF_MALFORMED_BODY' : (CODE_BY_STATUS[parserStatus] ?? 'FF_BAD_REQUEST');
      return { type: problemType(code), title: 'Malformed request', status: parserStatus, detail: (exception as Error).message, instance, code };
    }
    return {
      type: problemType('FF_INTERNAL'),
      title: 'Internal error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance,
      code: 'FF_INTERNAL',
    };
  }
}
