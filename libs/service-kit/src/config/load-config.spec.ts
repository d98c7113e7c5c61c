import { commonConfigVariables } from './common-config';
import { env } from './config-variable';
import { ConfigError } from './config.error';
import { describeConfig, loadConfig } from './load-config';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const vars = commonConfigVariables('orchestrator');

  it('applies defaults, including the per-service port', () => {
    const cfg = loadConfig(vars, {});
    expect(cfg).toMatchObject({ PORT: 8103, FLOWFORGE_BUS: 'postgres', LOG_LEVEL: 'info', FLOWFORGE_HOME: './.flowforge' });
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(loadConfig(commonConfigVariables('embedded'), {}).PORT).toBe(8080);
  });

  it('parses valid values into typed fields', () => {
    const cfg = loadConfig(vars, { PORT: '9000', DATABASE_URL: 'postgres://u:p@db:5432/x', LOG_LEVEL: 'debug' });
    expect(cfg.PORT).toBe(9000);
    expect(cfg.DATABASE_URL).toBe('postgres://u:p@db:5432/x');
  });

  it('names the variable and the expected form for a bad port', () => {
    expect(issuesOf(() => loadConfig(vars, { PORT: 'abc' }))).toEqual(['FF_CONFIG: PORT must be an integer between 1 and 65535 (got "abc")']);
    expect(issuesOf(() => loadConfig(vars, { PORT: '70000' }))[0]).toMatch(/^FF_CONFIG: PORT must be an integer/);
  });

  it('collects every error instead of stopping at the first', () => {
    const issues = issuesOf(() => loadConfig(vars, { PORT: '0', LOG_LEVEL: 'loud', OTEL_EXPORTER_OTLP_ENDPOINT: 'nope' }));
    expect(issues).toHaveLength(3);
    expect(issues[0]).toContain('PORT');
    expect(issues[1]).toBe('FF_CONFIG: LOG_LEVEL must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")');
    expect(issues[2]).toContain('OTEL_EXPORTER_OTLP_ENDPOINT must be a http:// or https:// URL');
  });

  it('accepts FLOWFORGE_BUS=kafka with its brokers, and names a bad bus or broker list', () => {
    const cfg = loadConfig(vars, { FLOWFORGE_BUS: 'kafka', FLOWFORGE_KAFKA_BROKERS: 'k1:9092,k2:9092' });
    expect(cfg.FLOWFORGE_BUS).toBe('kafka');
    expect(cfg.FLOWFORGE_KAFKA_BROKERS).toBe('k1:9092,k2:9092');
    const issues = issuesOf(() => loadConfig(vars, { FLOWFORGE_BUS: 'rabbit', FLOWFORGE_KAFKA_BROKERS: 'k1' }));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toContain('FLOWFORGE_BUS must be one of "postgres", "kafka" (got "rabbit")');
    expect(issues[1]).toContain('FLOWFORGE_KAFKA_BROKERS must be comma-separated host:port list');
  });

  it('never echoes a sensitive value', () => {
    const secret = 'mysql://root:hunter2@db/x';
    const issues = issuesOf(() => loadConfig(vars, { DATABASE_URL: secret }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^FF_CONFIG: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(issues[0]).toContain('sensitive');
    expect(issues[0]).not.toContain('hunter2');
    expect(issues[0]).not.toContain(secret);
  });

  it('says when a required variable is missing', () => {
    const required = { FLOWFORGE_MASTER_KEY: env.string(undefined, { sensitive: true, expected: 'a 32-byte base64 key' }) };
    expect(issuesOf(() => loadConfig(required, {}))).toEqual(['FF_CONFIG: FLOWFORGE_MASTER_KEY must be a 32-byte base64 key (it is not set)']);
  });

  it('hides sensitive values when describing the config for logs', () => {
    const cfg = loadConfig(vars, { DATABASE_URL: 'postgres://u:hunter2@db/x' });
    const shown = JSON.stringify(describeConfig(vars, cfg));
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('"DATABASE_URL":"[sensitive]"');
  });
});
