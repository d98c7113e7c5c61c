import { SpanKind } from '@opentelemetry/api';
import { httpRequestDuration } from '../metrics/metrics.registry';
import { markSpanError, withSpan } from '../tracing/tracing';
import type { HttpRequest, HttpResponse } from './http-types';

/**
 * Express-level middleware: one server span per request (parent from the incoming traceparent) so that
 * log lines and published events carry the trace, and the request duration histogram. The route label
 * is the matched template (`/api/v1/system/echo/:id`), never the raw path, to keep cardinality bounded.
 */
export function requestTelemetry() {
  const histogram = httpRequestDuration();
  return (req: HttpRequest, res: HttpResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    withSpan(`HTTP ${req.method}`, req.headers as Record<string, unknown>, SpanKind.SERVER, (span) => {
      res.once('finish', () => {
        const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        histogram.observe({ method: req.method ?? 'GET', route, status: String(res.statusCode) }, seconds);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) markSpanError(span, `HTTP ${res.statusCode}`);
        span.updateName(`HTTP ${req.method} ${route}`);
        span.end();
      });
      next();
    });
  };
}
