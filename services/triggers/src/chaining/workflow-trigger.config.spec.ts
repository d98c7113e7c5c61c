import type { Emit, TriggerSpec } from '../core/event-source';
import { resolveWorkflowTrigger, workflowTriggerConfigSchema, type WorkflowTriggerConfig } from './workflow-trigger.config';
import { WorkflowTriggerIndex } from './workflow-trigger.index';
import { WorkflowEventSource } from './workflow.source';

const issues = (input: unknown) => {
  const r = workflowTriggerConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('workflow trigger config', () => {
  it('accepts the usual shapes and resolves the defaults', () => {
    expect(issues({ upstream: ['load-orders'], on: 'success' })).toEqual([]);
    expect(resolveWorkflowTrigger(workflowTriggerConfigSchema.parse({ upstream: ['a'], on: 'failure' }))).toEqual({
      upstream: ['a'],
      on: 'failure',
      condition: null,
      waitForAll: false,
      windowMs: 3_600_000,
      timeoutAction: 'skip',
    });
    // Several upstream workflows: wait for all by default.
    expect(resolveWorkflowTrigger(workflowTriggerConfigSchema.parse({ upstream: ['a', 'b'], on: 'finished' })).waitForAll).toBe(true);
    expect(resolveWorkflowTrigger(workflowTriggerConfigSchema.parse({ upstream: ['a', 'b'], on: 'finished', waitForAll: false })).waitForAll).toBe(false);
    expect(
      resolveWorkflowTrigger(
        workflowTriggerConfigSchema.parse({ upstream: ['a', 'b'], on: 'success', windowMs: 60_000, timeoutAction: 'fire', condition: 'steps.x.outputs.n > 0' }),
      ),
    ).toMatchObject({ waitForAll: true, windowMs: 60_000, timeoutAction: 'fire', condition: 'steps.x.outputs.n > 0' });
  });

  it.each([
    [{ on: 'success' }, 'upstream'],
    [{ upstream: [], on: 'success' }, 'upstream'],
    [{ upstream: Array.from({ length: 21 }, (_, i) => `w${i}`), on: 'success' }, 'upstream'],
    [{ upstream: ['Not A Name'], on: 'success' }, 'upstream.0'],
    [{ upstream: ['a', 'b', 'a'], on: 'success' }, 'upstream.2'],
    [{ upstream: ['a'], on: 'done' }, 'on'],
    [{ upstream: ['a'], on: 'success', condition: 'x = 1' }, 'condition'],
    [{ upstream: ['a'], on: 'success', condition: 'x'.repeat(1001) }, 'condition'],
    [{ upstream: ['a', 'b'], on: 'success', windowMs: 10 }, 'windowMs'],
    [{ upstream: ['a', 'b'], on: 'success', windowMs: 8 * 24 * 3_600_000 }, 'windowMs'],
    [{ upstream: ['a', 'b'], on: 'success', windowMs: 1500.5 }, 'windowMs'],
    [{ upstream: ['a', 'b'], on: 'success', timeoutAction: 'retry' }, 'timeoutAction'],
    [{ upstream: ['a'], on: 'success', windowMs: 60_000 }, 'windowMs'],
    [{ upstream: ['a', 'b'], on: 'success', waitForAll: false, timeoutAction: 'fire' }, 'timeoutAction'],
    [{ upstream: ['a'], on: 'success', colour: 'red' }, ''],
  ])('refuses %j naming %s', (input, field) => {
    const found = issues(input);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((i) => i.field)).toContain(field);
  });

  it('a condition that does not parse names the position', () => {
    expect(issues({ upstream: ['a'], on: 'success', condition: 'steps.load.outputs.rows >' })).toEqual([
      {
        field: 'condition',
        message:
          'does not parse: expected a value (a number, a "string", true, false, null or a path such as steps.load.outputs.rows) but the condition ended at position 26',
      },
    ]);
  });

  it('can be shown in the OpenAPI document (no transforms)', () => {
    expect(() => JSON.stringify(require('zod').toJSONSchema(workflowTriggerConfigSchema))).not.toThrow();
  });
});

describe('workflow event source', () => {
  const spec = (config: WorkflowTriggerConfig, workflow = 'report', id = 't1'): TriggerSpec<WorkflowTriggerConfig> => ({
    id,
    name: `trigger-${id}`,
    workflow,
    type: 'workflow',
    config,
  });
  const emit: Emit = () => Promise.reject(new Error('not called'));

  it('refuses a trigger that follows its own workflow, naming config.upstream', async () => {
    const source = new WorkflowEventSource(new WorkflowTriggerIndex());
    await expect(source.start(spec({ upstream: ['load', 'report'], on: 'success' }), emit)).rejects.toMatchObject({
      code: 'FF_TRIGGER_CHAIN_LOOP',
      status: 400,
      fieldErrors: [{ field: 'config.upstream', message: 'contains the trigger\'s own workflow "report"' }],
    });
  });

  it('start registers the trigger by upstream, stop removes it, and a stale handle never removes a restart', async () => {
    const index = new WorkflowTriggerIndex();
    const source = new WorkflowEventSource(index);
    const first = await source.start(spec({ upstream: ['a', 'b'], on: 'success' }), emit);
    const other = await source.start(spec({ upstream: ['b'], on: 'failure' }, 'x', 't0'), emit);
    expect(index.following('b').map((t) => t.id)).toEqual(['t0', 't1']);
    expect(index.following('a').map((t) => t.id)).toEqual(['t1']);
    expect(index.following('c')).toEqual([]);
    // Edited: started again before the old handle stops.
    const second = await source.start(spec({ upstream: ['c'], on: 'success' }), emit);
    await first.stop();
    expect(index.following('c').map((t) => t.id)).toEqual(['t1']);
    expect(index.following('a')).toEqual([]);
    await second.stop();
    await other.stop();
    expect(index.size).toBe(0);
  });

  it('match tests the condition on every upstream run of a payload (what `test` with a sample payload does)', () => {
    const source = new WorkflowEventSource(new WorkflowTriggerIndex());
    const config = { upstream: ['a', 'b'], on: 'success' as const, condition: 'steps.load.outputs.rows > 0' };
    const payload = (rowsA: number, rowsB: number) => ({
      upstream: {
        a: { runId: 'ra', state: 'succeeded', outputs: { load: { rows: rowsA } } },
        b: { runId: 'rb', state: 'succeeded', outputs: { load: { rows: rowsB } } },
      },
    });
    expect(source.match(config, { payload: payload(1, 2) }).matched).toBe(true);
    expect(source.match(config, { payload: payload(1, 0) })).toEqual({
      matched: false,
      reason: 'condition "steps.load.outputs.rows > 0" is false for run rb of b (steps.load.outputs.rows = 0)',
    });
    expect(source.match(config, { payload: {} })).toMatchObject({ matched: false, reason: expect.stringContaining('payload.upstream') });
    expect(source.match({ upstream: ['a'], on: 'success' }, { payload: {} })).toEqual({ matched: true, reason: 'no condition' });
  });
});
