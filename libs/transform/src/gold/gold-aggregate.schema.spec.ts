import { JobConfigValidator, JobError, type JobType } from '@flowforge/executor';
import { GOLD_AGGREGATE_CONFIG_SCHEMA, type GoldAggregateConfig } from './gold-aggregate.schema';

/** The schema as the executor kit compiles it (strict) and applies it at each dispatch. */
const jobType: JobType<GoldAggregateConfig> = {
  type: 'gold.aggregate',
  version: 1,
  configSchema: GOLD_AGGREGATE_CONFIG_SCHEMA,
  execute: () => Promise.reject(new Error('not run here')),
};
const validator = new JobConfigValidator([jobType]);
const parse = (config: unknown): GoldAggregateConfig => validator.parse(jobType, JSON.stringify(config)) as GoldAggregateConfig;
const refusal = (config: unknown): string => {
  try {
    parse(config);
  } catch (err) {
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe('FF_JOB_CONFIG_INVALID');
    return (err as JobError).detail;
  }
  throw new Error(`accepted ${JSON.stringify(config)}`);
};

const base = {
  fact: 'silver.sales.orders',
  dimensions: [{ table: 'silver.sales.customers', alias: 'customer', join: { from: 'fact.customer_id', to: 'id' } }],
  time: { column: 'fact.ordered_at', grain: 'month' },
  measures: [{ name: 'revenue', fn: 'sum', column: 'fact.amount' }],
  target: { namespace: 'sales', table: 'monthly' },
};

describe('gold.aggregate config schema', () => {
  it('fills in the defaults', () => {
    expect(parse(base)).toEqual({
      ...base,
      dimensions: [{ ...base.dimensions[0], joinType: 'left' }],
      time: { column: 'fact.ordered_at', grain: 'month', timeZone: 'UTC' },
      groupBy: [],
      kpis: [],
      target: { layer: 'gold', namespace: 'sales', table: 'monthly' },
      mode: 'replace',
    });
  });

  it('gives every property a title and a description (the console renders them)', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.properties) {
        for (const [key, child] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          if (!child.title || !child.description) missing.push(`${at}.${key}`);
          walk(child, `${at}.${key}`);
        }
      }
      if (n.items) walk(n.items, `${at}[]`);
    };
    walk(GOLD_AGGREGATE_CONFIG_SCHEMA, 'config');
    expect(missing).toEqual([]);
  });

  it('bounds every string and array', () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.type === 'string' && n.maxLength === undefined) unbounded.push(at);
      if (n.type === 'array' && n.maxItems === undefined) unbounded.push(at);
      for (const [key, child] of Object.entries(n)) if (key !== 'not') walk(child, `${at}.${key}`);
    };
    walk(GOLD_AGGREGATE_CONFIG_SCHEMA, 'config');
    expect(unbounded).toEqual([]);
  });

  it('refuses what the compiler could not use, naming the field', () => {
    expect(refusal({ ...base, mode: 'incremental', time: undefined })).toMatch(/time/);
    expect(refusal({ ...base, extra: 1 })).toMatch(/extra/);
    expect(refusal({ ...base, fact: 'orders' })).toMatch(/config\.fact/);
    expect(refusal({ ...base, dimensions: [{ ...base.dimensions[0], alias: 'fact' }] })).toMatch(/config\.dimensions\[0\]\.alias/);
    expect(refusal({ ...base, measures: [] })).toMatch(/config\.measures/);
    expect(refusal({ ...base, measures: [{ name: 'x', fn: 'median', column: 'a' }] })).toMatch(/config\.measures\[0\]\.fn/);
    expect(refusal({ ...base, time: { column: 'fact.ordered_at', grain: 'hour' } })).toMatch(/config\.time\.grain/);
    expect(refusal({ ...base, time: { column: 'fact.ordered_at', grain: 'day', timeZone: '+01:00' } })).toMatch(/config\.time\.timeZone/);
    expect(refusal({ ...base, kpis: [{ name: 'k', expression: 'x'.repeat(2001) }] })).toMatch(/config\.kpis\[0\]\.expression/);
    expect(refusal({ ...base, kpis: [{ name: 'k', expression: 'revenue\u0000' }] })).toMatch(/config\.kpis\[0\]\.expression/);
    expect(refusal({ ...base, target: { layer: 'silver', namespace: 'sales', table: 'x' } })).toMatch(/config\.target\.layer/);
    expect(refusal({ ...base, groupBy: Array.from({ length: 33 }, () => ({ column: 'fact.a' })) })).toMatch(/config\.groupBy/);
  });
});
