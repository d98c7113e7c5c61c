import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Writable } from 'node:stream';
import { createLogger, NestPinoLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts secret-looking keys at any depth and passwords in URLs', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'test', destination });
    log.info({ password: 'p1', nested: { apiKey: 'k', headers: { authorization: 'Bearer t' } }, ok: 1 }, 'conn postgres://u:hunter2@db/x');
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', ok: 1, password: '[redacted]' });
    expect(JSON.stringify(lines[0])).not.toMatch(/p1|Bearer|hunter2|"k"/);
  });

  it('never logs a secret nested deeper than it walks: the deep part is a marker', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'test', destination });
    let deep: Record<string, unknown> = { token: 'deep-secret-value' };
    for (let i = 0; i < 20; i++) deep = { level: deep };
    log.info({ deep }, 'deep');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('deep-secret-value');
    expect(text).toContain('[nested deeper than 8 levels]');
  });

  it('carries trace_id and span_id of the active span', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const { lines, destination } = capture();
      const log = new NestPinoLogger(createLogger({ service: 'test', destination }));
      const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
      context.with(trace.setSpan(context.active(), span), () => log.log('hello', 'EchoController'));
      expect(lines[0]).toMatchObject({ msg: 'hello', context: 'EchoController', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' });
    } finally {
      context.disable();
    }
  });
});
