import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { ExecutorRegistered, StepExecutorSymbols, type ExecutorRegisteredEvent } from '@flowforge/contracts';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { JobTypeStore } from './job-type.store';

/**
 * Builds the job type registry from what executors announce at start (type → executor, version, JSON
 * Schema), in the handler's transaction. A schema that is not JSON is refused by skipping that type
 * (logged): one bad type must not keep the executor's other types out of the registry.
 */
@Controller()
export class ExecutorRegisteredHandler {
  constructor(
    private readonly store: JobTypeStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  @OnEvent(ExecutorRegistered, { group: 'orchestrator' })
  async onExecutorRegistered(@Payload() event: ExecutorRegisteredEvent, @Ctx() ctx: BusContext): Promise<void> {
    if (!(StepExecutorSymbols as readonly string[]).includes(event.executor)) {
      // Steps are dispatched on flowforge.step.dispatched.<executor>: an executor without a topic could never get one.
      this.logger.warn(
        { executor: event.executor, instanceId: event.instanceId },
        `FF_EXECUTOR_UNKNOWN: executor "${event.executor}" has no dispatch topic (known: ${StepExecutorSymbols.join(', ')}); its job types are ignored`,
      );
      return;
    }
    for (const t of event.jobTypes) {
      let schema: unknown;
      try {
        schema = JSON.parse(t.configSchema);
      } catch (err) {
        this.logger.warn(
          { executor: event.executor, type: t.type, error: err instanceof Error ? err.message : String(err) },
          `FF_JOB_TYPE_SCHEMA_INVALID: executor "${event.executor}" announced job type "${t.type}" with a configSchema that is not JSON; type ignored`,
        );
        continue;
      }
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        this.logger.warn(
          { executor: event.executor, type: t.type },
          `FF_JOB_TYPE_SCHEMA_INVALID: configSchema of "${t.type}" is not a JSON object; type ignored`,
        );
        continue;
      }
      const replaced = await this.store.upsert(ctx.getTx(), {
        type: t.type,
        executor: event.executor,
        version: t.version,
        configSchema: schema as Record<string, unknown>,
        description: t.description,
        instanceId: event.instanceId,
      });
      if (!replaced) {
        this.logger.info(
          { executor: event.executor, type: t.type, version: t.version },
          `job type "${t.type}" v${t.version} is older than the registered one; kept the newer`,
        );
      }
    }
  }
}
