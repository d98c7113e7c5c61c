import { context, trace } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { redactDeep, scrubText } from './redact';

export type FlowForgeLogger = Logger;

export interface LoggerOptions {
  /** `service` field on every line ("embedded" for the all-in-one host). */
  service: string;
  level?: string;
  /** Defaults to stdout; tests pass a stream to capture lines. */
  destination?: pino.DestinationStream;
}

/**
 * JSON lines with trace_id/span_id of the active OpenTelemetry span, so a log line can be joined to
 * its trace; secret-looking keys are redacted at any depth and URL passwords masked in messages.
 */
export function createLogger(opts: LoggerOptions): FlowForgeLogger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
      mixin() {
        const span = trace.getSpan(context.active());
        if (!span) return {};
        const sc = span.spanContext();
        return trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** Nest's own start-up chatter (one line per route and module): debug, so `info` stays readable. */
const NEST_INTERNALS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/** Nest's LoggerService on top of pino: Nest's `context` argument becomes the `context` field. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: FlowForgeLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    const ctx = params[params.length - 1];
    this.write(typeof ctx === 'string' && NEST_INTERNALS.has(ctx) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    const rest = [...params];
    // Nest passes the context (a class name) last; for errors a stack string may come before it.
    const ctx = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (ctx) fields.context = ctx;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
