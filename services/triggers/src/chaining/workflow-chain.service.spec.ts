import { parseCondition } from './condition.parser';
import { conditionContext, conditionVerdict, MAX_OUTPUTS_BYTES, toArrival } from './workflow-chain.service';
import { resolveWorkflowTrigger } from './workflow-trigger.config';

const ended = { runId: 'r-1', workflowId: 'load-orders', to: 'succeeded', reason: null };
const at = new Date('2026-12-01T10:00:00Z');

describe('workflow chaining: what an upstream run becomes', () => {
  it('keeps each step state and outputs by step id (a step without outputs has {})', () => {
    const a = toArrival(
      ended,
      {
        id: 'r-1',
        workflow: 'load-orders',
        state: 'succeeded',
        steps: [
          { stepId: 'load', state: 'succeeded', outputs: { rowsWritten: 5 } },
          { stepId: 'notify', state: 'skipped', outputs: null },
        ],
      },
      at,
    );
    expect(a).toEqual({
      runId: 'r-1',
      workflow: 'load-orders',
      state: 'succeeded',
      reason: null,
      outputs: { load: { rowsWritten: 5 }, notify: {} },
      steps: { load: 'succeeded', notify: 'skipped' },
      at: '2026-12-01T10:00:00.000Z',
    });
    expect(conditionContext(a)).toEqual({
      steps: { load: { outputs: { rowsWritten: 5 }, state: 'succeeded' }, notify: { outputs: {}, state: 'skipped' } },
      state: 'succeeded',
      workflow: 'load-orders',
      runId: 'r-1',
    });
  });

  it('a run the orchestrator never created has no steps and no outputs', () => {
    expect(toArrival({ ...ended, to: 'failed', reason: 'FF_WORKFLOW_NOT_FOUND: …' }, null, at)).toMatchObject({ state: 'failed', outputs: {}, steps: {} });
  });

  it('leaves out outputs larger than the bound, saying so', () => {
    const big = 'x'.repeat(MAX_OUTPUTS_BYTES);
    const a = toArrival(
      ended,
      { id: 'r-1', workflow: 'load-orders', state: 'succeeded', steps: [{ stepId: 'load', state: 'succeeded', outputs: { big } }] },
      at,
    );
    expect(a.outputs).toEqual({});
    expect(a.steps).toEqual({ load: 'succeeded' });
    expect(a.outputsOmitted).toMatch(new RegExp(`^the outputs of run r-1 are \\d+ bytes as JSON, more than ${MAX_OUTPUTS_BYTES}`));
  });

  it('the verdict names the condition, the run and the values read', () => {
    const config = resolveWorkflowTrigger({ upstream: ['load-orders'], on: 'success', condition: 'steps.load.outputs.rowsWritten > 10' });
    const a = toArrival(
      ended,
      { id: 'r-1', workflow: 'load-orders', state: 'succeeded', steps: [{ stepId: 'load', state: 'succeeded', outputs: { rowsWritten: 5 } }] },
      at,
    );
    expect(conditionVerdict({ config, condition: parseCondition(config.condition!) }, a)).toEqual({
      ok: false,
      reason: 'condition "steps.load.outputs.rowsWritten > 10" is false for run r-1 of load-orders (steps.load.outputs.rowsWritten = 5)',
    });
    expect(conditionVerdict({ config: { ...config, condition: null }, condition: null }, a)).toEqual({ ok: true, reason: 'no condition' });
  });
});
