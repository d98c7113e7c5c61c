import { step } from './__fixtures__/step.factory';
import { renderStepParams } from './step-params.renderer';
import { WorkflowValidationError } from './workflow.errors';

describe('renderStepParams', () => {
  const params = { run_date: '2024-03-01', limit: 500, full: false, filters: { status: ['paid'] }, rate: 0.25 };
  const outputs = { extract: { snapshot: 42, path: 's3://lake/bronze/orders/' } };

  it('keeps the type of a value that is exactly one reference, and writes text otherwise', () => {
    const load = step('load', ['extract'], 'on_success', {
      params: {
        day: '${params.run_date}',
        limit: '${params.limit}',
        full: '${ params.full }',
        filters: '${params.filters}',
        snapshot: '${steps.extract.outputs.snapshot}',
        where: "created_at::date = '${params.run_date}' LIMIT ${params.limit}",
        json: 'filters=${params.filters} rate=${params.rate}',
        source: '${steps.extract.outputs.path}part-*.parquet',
        literal: 'echo $${HOME} ${params.limit}',
        plain: 'no references',
      },
    });
    expect(renderStepParams(load, params, outputs)).toEqual({
      day: '2024-03-01',
      limit: 500,
      full: false,
      filters: { status: ['paid'] },
      snapshot: 42,
      where: "created_at::date = '2024-03-01' LIMIT 500",
      json: 'filters={"status":["paid"]} rate=0.25',
      source: 's3://lake/bronze/orders/part-*.parquet',
      literal: 'echo ${HOME} 500',
      plain: 'no references',
    });
  });

  it('renders a step without params as {}', () => {
    expect(renderStepParams(step('a'), {}, {})).toEqual({});
  });

  it('names the step and every reference that has no value', () => {
    const load = step('load', ['extract', 'clean'], 'on_success', {
      params: {
        a: '${params.region}',
        b: '${steps.extract.outputs.rows}',
        c: '${steps.clean.outputs.rows}',
        d: '${params.limit} and ${param.oops}',
      },
    });
    try {
      renderStepParams(load, params, outputs);
      throw new Error('expected FF_STEP_PARAMS_UNRESOLVED');
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowValidationError);
      const e = err as WorkflowValidationError;
      expect(e.code).toBe('FF_STEP_PARAMS_UNRESOLVED');
      expect(e.message.split('\n')).toEqual([
        'step "load": params.a: ${params.region} has no value: parameter "region" was not given and has no default',
        'step "load": params.b: ${steps.extract.outputs.rows} has no value: step "extract" has no output "rows" (it has "snapshot", "path")',
        'step "load": params.c: ${steps.clean.outputs.rows} has no value: step "clean" has no outputs (it did not succeed, or was skipped)',
        'step "load": params.d: unknown reference "${param.oops}": expected ${params.<name>} or ${steps.<id>.outputs.<key>} (write $${ for a literal "${")',
      ]);
      expect(e.issues.every((i) => i.stepId === 'load')).toBe(true);
    }
  });
});
