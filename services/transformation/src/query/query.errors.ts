import { EngineError } from '@flowforge/engine';
import { JobError } from '@flowforge/executor';
import { FlowForgeError } from '@flowforge/service-kit';
import { TransformError, type TransformErrorCode } from '@flowforge/transform';

const STATUS: Partial<Record<TransformErrorCode, number>> = {
  FF_TRANSFORM_UNKNOWN_TABLE: 404,
  FF_SQL_NOT_ALLOWED: 403,
  FF_SQL_LIMIT: 422,
  FF_TRANSFORM_NULLS: 422,
  FF_TRANSFORM_DUPLICATE_KEY: 422,
};

/**
 * A failure of an interactive query as problem+json: a TransformError keeps its code, with its problems as
 * `errors` (field prefixed with where the text came from, `position` kept); a DuckDB failure at run time is
 * 422 FF_TRANSFORM_SQL; an input that is not in the lake is 404; the catalog not answering is 502.
 */
export function toProblem(err: unknown, fieldPrefix = ''): unknown {
  if (err instanceof FlowForgeError) return err;
  if (err instanceof TransformError) {
    const errors = err.problems.map((p) => ({ ...p, field: p.field ? `${fieldPrefix}${p.field}` : fieldPrefix.replace(/\.$/, '') }));
    return new FlowForgeError(
      err.code,
      STATUS[err.code] ?? 400,
      titleOf(STATUS[err.code] ?? 400),
      err.message.replace(/^FF_[A-Z_]+: /, ''),
      errors.length ? errors : undefined,
    );
  }
  if (err instanceof JobError) {
    if (err.code === 'FF_TRANSFORM_UNKNOWN_TABLE' || /_NOT_FOUND$/.test(err.code))
      return new FlowForgeError(err.code, 404, 'Not Found', err.message.replace(/^FF_[A-Z_]+: /, ''));
    if (err.code.startsWith('FF_CATALOG')) return new FlowForgeError('FF_UPSTREAM_UNAVAILABLE', 502, 'Bad Gateway', err.message);
    return new FlowForgeError(err.code, err.retryable ? 503 : 422, err.retryable ? 'Service Unavailable' : 'Unprocessable Content', err.message);
  }
  if (err instanceof EngineError && err.code === 'FF_ENGINE_SQL') {
    if (/INTERRUPT/i.test(err.message))
      return new FlowForgeError('FF_SQL_LIMIT', 422, 'Unprocessable Content', 'the query passed its time limit and was stopped');
    if (/Out of Memory|memory limit/i.test(err.message))
      return new FlowForgeError('FF_SQL_LIMIT', 422, 'Unprocessable Content', `the query passed its memory limit: ${err.message.replace(/^FF_[A-Z_]+: /, '')}`);
    return new FlowForgeError('FF_TRANSFORM_SQL', 422, 'Unprocessable Content', err.message.replace(/^FF_[A-Z_]+: /, ''));
  }
  return err;
}

function titleOf(status: number): string {
  return { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Content' }[status] ?? 'Error';
}
