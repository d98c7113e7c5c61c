import { context, propagation, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT; without it spans are created (ids for logs, traceparent on events) but not exported. */
  otlpEndpoint?: string;
  onWarning?: (message: string) => void;
}

let active: TracingHandle | undefined;

/**
 * Starts the OpenTelemetry NodeSDK once per process. Exporting is off unless an OTLP endpoint is set;
 * context propagation (W3C traceparent) and span ids work either way, so logs and events carry them.
 * No auto-instrumentation packages are installed: HTTP server spans come from the request middleware
 * (http/request-telemetry.middleware.ts) and bus spans from the bus adapter.
 */
export function startTracing(opts: TracingOptions): TracingHandle {
  if (active) return active;
  // Loaded lazily: the SDK costs ~250 ms of start-up and unit tests never need it.

  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, NoopSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  let processor: import('@opentelemetry/sdk-trace').SpanProcessor = new NoopSpanProcessor();
  if (opts.otlpEndpoint) {
    try {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      const url = `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
      processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) });
    } catch {
      // TODO(observability): add @opentelemetry/exporter-trace-otlp-http as a direct dependency; today it
      // only arrives through @opentelemetry/sdk-node. Without it, traces stay in-process.
      opts.onWarning?.('FF_OTEL_EXPORTER_MISSING: @opentelemetry/exporter-trace-otlp-http is not installed; traces are not exported');
    }
  }

  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    spanProcessors: [processor],
    // Metrics go through prom-client (/metrics) and logs through pino; keep the SDK from reading
    // OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER and starting exporters nobody asked for.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    resourceDetectors: [],
  });
  sdk.start();
  active = {
    shutdown: async () => {
      active = undefined;
      await sdk.shutdown().catch(() => undefined);
    },
  };
  return active;
}

const tracer = () => trace.getTracer('flowforge');

/** Runs `fn` in a new span whose parent is taken from `carrier` (e.g. HTTP headers) when present. */
export function withSpan<T>(name: string, carrier: Record<string, unknown> | undefined, kind: SpanKind, fn: (span: Span) => T): T {
  const parent = carrier ? propagation.extract(context.active(), carrier) : context.active();
  return tracer().startActiveSpan(name, { kind }, parent, (span) => fn(span));
}

export function markSpanError(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** W3C traceparent of the active span, for outgoing internal HTTP calls. */
export function currentTraceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

export { SpanKind };

/** Trace id of the active span (what an audit entry names to find its spans); undefined outside any trace. */
export function currentTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}
