import { Injectable } from '@nestjs/common';
import type { Emit, EventSource, SourceEvent, SourceHandle, TriggerSpec } from '../core/event-source';
import { ChainLoopProblem } from './chaining.errors';
import { parseCondition } from './condition.parser';
import { conditionVerdict } from './workflow-chain.service';
import type { Arrival } from './chain-wait.store';
import { resolveWorkflowTrigger, workflowTriggerConfigSchema, type WorkflowTriggerConfig } from './workflow-trigger.config';
import { WorkflowTriggerIndex } from './workflow-trigger.index';

/** Refuses a trigger whose workflow is one of its own upstream workflows (a run would start the next, forever). */
export function assertNoSelfLoop(trigger: Pick<TriggerSpec<WorkflowTriggerConfig>, 'name' | 'workflow' | 'config'>): void {
  if (trigger.config.upstream.includes(trigger.workflow)) throw new ChainLoopProblem(trigger.name, trigger.workflow);
}

/**
 * The `workflow` trigger type: run this trigger's workflow when runs of the upstream workflows end
 * (README.md next to this file). A push source: `start` registers the trigger in the index the
 * `run.state-changed` handler reads and `stop` removes it; nothing polls.
 */
@Injectable()
export class WorkflowEventSource implements EventSource<WorkflowTriggerConfig> {
  readonly type = 'workflow';

  /** Refuses, on save, a trigger whose workflow is one of its own upstreams (start refuses it too). */
  validate(trigger: TriggerSpec<WorkflowTriggerConfig>): void {
    assertNoSelfLoop(trigger);
  }
  readonly configSchema = workflowTriggerConfigSchema;

  constructor(private readonly index: WorkflowTriggerIndex) {}

  /**
   * The condition against each upstream run in the payload (`test` with a sample payload uses it too):
   * matched when it holds for every one. The bus handler has already applied it before emitting.
   */
  match(config: WorkflowTriggerConfig, event: SourceEvent): { matched: boolean; reason: string } {
    const resolved = resolveWorkflowTrigger(config);
    if (resolved.condition === null) return { matched: true, reason: 'no condition' };
    const condition = parseCondition(resolved.condition);
    const upstream = event.payload.upstream;
    if (upstream === null || typeof upstream !== 'object' || Object.keys(upstream).length === 0) {
      return { matched: false, reason: 'the payload has no upstream runs to test the condition on (payload.upstream.<workflow>)' };
    }
    const reasons: string[] = [];
    for (const [workflow, raw] of Object.entries(upstream as Record<string, Partial<Arrival>>)) {
      const a: Arrival = {
        runId: String(raw?.runId ?? ''),
        workflow,
        state: String(raw?.state ?? ''),
        reason: null,
        outputs: (raw?.outputs as Arrival['outputs']) ?? {},
        steps: (raw?.steps as Arrival['steps']) ?? {},
        at: '',
      };
      const verdict = conditionVerdict({ condition, config: resolved }, a);
      if (!verdict.ok) return { matched: false, reason: verdict.reason };
      reasons.push(verdict.reason);
    }
    return { matched: true, reason: reasons.join('; ') };
  }

  start(trigger: TriggerSpec<WorkflowTriggerConfig>, emit: Emit): Promise<SourceHandle> {
    // A refusal rejects (never throws synchronously): the core awaits start like any source's.
    return new Promise((resolve) => {
      assertNoSelfLoop(trigger);
      const token = this.index.add(trigger, emit);
      resolve({
        stop: () => {
          // The handler reads the index per event: once removed, no later event emits for this handle. An
          // event being handled right now may still emit; its dedupKey keeps that to one firing.
          this.index.remove(trigger.id, token);
          return Promise.resolve();
        },
      });
    });
  }
}
