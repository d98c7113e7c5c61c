import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { JobConfigValidator, type JobType } from '@flowforge/executor';
import { parseDocuments } from '@flowforge/workflow';
import { EXPORT_CONFIG_SCHEMA } from '@flowforge/transform';
import { transformKinds } from './kinds';

const kinds = transformKinds();
const exportType = { type: 'export', version: 1, configSchema: EXPORT_CONFIG_SCHEMA, execute: async () => undefined } as unknown as JobType;
const types = [...(kinds as unknown as JobType[]), exportType];
const examples = path.resolve(__dirname, '../../../../docs/examples');

describe('the transformation job types', () => {
  it('are the five of the issue, each with a JSON Schema the executor kit compiles (the console renders it)', () => {
    expect(types.map((t) => t.type).sort()).toEqual(['export', 'gold.aggregate', 'gold.scd2', 'transform.silver', 'transform.sql']);
    expect(() => new JobConfigValidator(types)).not.toThrow();
    for (const t of types) expect(t.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('validate every job of docs/examples they run (the examples stay runnable), and name the field of a bad one', () => {
    const validator = new JobConfigValidator(types);
    const jobs = readdirSync(examples)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseDocuments(readFileSync(path.join(examples, f), 'utf8')).jobs.map((j) => ({ file: f, ...j })))
      .filter((j) => types.some((t) => t.type === j.type));
    expect(jobs.map((j) => j.type).sort()).toEqual(['export', 'gold.aggregate', 'gold.scd2', 'transform.silver', 'transform.silver']);
    for (const j of jobs)
      expect({
        job: j.name,
        problems: validator.check(
          types.find((t) => t.type === j.type)!,
          structuredClone(j.config),
        ),
      }).toEqual({ job: j.name, problems: [] });
    const silver = types.find((t) => t.type === 'transform.silver')!;
    expect(validator.check(silver, { source: 'bronze.x.y', steps: [{ op: 'explode' }], target: { namespace: 'x', table: 'y' } }).map((p) => p.field)).toContain(
      'config.steps[0].op',
    );
  });
});
