import { Injectable } from '@nestjs/common';
import type { Emit, TriggerSpec } from '../core/event-source';
import { parseCondition, type ConditionNode } from './condition.parser';
import { resolveWorkflowTrigger, type ResolvedWorkflowTrigger, type WorkflowTriggerConfig } from './workflow-trigger.config';

/** A started workflow trigger as the bus handler and the sweeper use it. */
export interface IndexedTrigger {
  id: string;
  name: string;
  /** The workflow the trigger runs (downstream). */
  workflow: string;
  config: ResolvedWorkflowTrigger;
  condition: ConditionNode | null;
  emit: Emit;
}

/**
 * The enabled workflow triggers of this process, by upstream workflow. `workflow` is a push source fed by
 * the bus (one consumer for every trigger), not a loop per trigger: `start()` puts the trigger here and
 * `stop()` takes it out, and the handler of `run.state-changed` looks up the triggers that follow the
 * run's workflow. Each registration has its own token, so a stop of an old handle never removes the
 * registration a restart (edit) put in its place.
 */
@Injectable()
export class WorkflowTriggerIndex {
  private readonly byId = new Map<string, { token: symbol; trigger: IndexedTrigger }>();

  add(spec: TriggerSpec<WorkflowTriggerConfig>, emit: Emit): symbol {
    const config = resolveWorkflowTrigger(spec.config);
    const token = Symbol(spec.id);
    this.byId.set(spec.id, {
      token,
      trigger: {
        id: spec.id,
        name: spec.name,
        workflow: spec.workflow,
        config,
        condition: config.condition === null ? null : parseCondition(config.condition),
        emit,
      },
    });
    return token;
  }

  remove(id: string, token: symbol): void {
    if (this.byId.get(id)?.token === token) this.byId.delete(id);
  }

  get(id: string): IndexedTrigger | undefined {
    return this.byId.get(id)?.trigger;
  }

  /** The triggers following `workflow`, in id order (a stable order for the handler's locks). */
  following(workflow: string): IndexedTrigger[] {
    return [...this.byId.values()]
      .map((e) => e.trigger)
      .filter((t) => t.config.upstream.includes(workflow))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get size(): number {
    return this.byId.size;
  }
}
