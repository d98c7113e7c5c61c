import { type DynamicModule, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { EVENT_BUS, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { pinoExecutorLogger } from '../executor.logger';
import { StepExecutor, type StepExecutorOptions } from '../step.executor';
import type { StepExecutorName } from '../step.executor';

export interface ExecutorModuleOptions<G = unknown> extends Omit<StepExecutorOptions, 'bus' | 'logger'> {
  /**
   * Whether this host runs the executor, decided at boot from a provider the host has — typically the
   * service's validated config (`serviceConfigToken(service)`). Default: always. A disabled executor is
   * built but never started: it takes no dispatches and announces no job types, so other processes
   * hosting the same executor get them all.
   */
  enabledWhen?: { inject: string; when: (value: G) => boolean };
}

/** Token of the StepExecutor a module registered (one per executor, so a host can register several). */
export const stepExecutorToken = (executor: StepExecutorName): string => `flowforge.step-executor.${executor}`;

/**
 * A service becomes an executor with `ExecutorModule.register({ executor: 'ingestion', jobTypes })`:
 * the StepExecutor is built on the host's EVENT_BUS (and LOGGER when there is one), starts taking
 * dispatches once the app has bootstrapped, and stops — gracefully, before the bus closes — when the
 * app shuts down.
 */
@Module({})
export class ExecutorModule {
  static register<G = unknown>(opts: ExecutorModuleOptions<G>): DynamicModule {
    const { enabledWhen, ...executorOptions } = opts;
    const token = stepExecutorToken(opts.executor);
    return {
      module: ExecutorModule,
      providers: [
        {
          provide: token,
          inject: [EVENT_BUS, { token: LOGGER, optional: true }],
          useFactory: (bus: EventBus, logger?: FlowForgeLogger) =>
            new StepExecutor({
              ...executorOptions,
              bus,
              logger: logger ? pinoExecutorLogger(logger.child({ component: 'executor' })) : undefined,
            }),
        },
        {
          provide: `${token}.lifecycle`,
          inject: [token, { token: LOGGER, optional: true }, ...(enabledWhen ? [enabledWhen.inject] : [])],
          useFactory: (executor: StepExecutor, logger?: FlowForgeLogger, gate?: G): OnApplicationBootstrap & OnModuleDestroy => {
            const enabled = enabledWhen ? enabledWhen.when(gate as G) : true;
            if (!enabled) {
              logger?.info({ executor: opts.executor }, `executor "${opts.executor}" is off by configuration: other processes take its dispatches`);
              return { onApplicationBootstrap: () => undefined, onModuleDestroy: () => undefined };
            }
            // Started once: a host that connects a microservice with deferInitialization (service-kit
            // does, for the bus transport) runs onApplicationBootstrap a second time when it listens.
            let started: Promise<void> | null = null;
            return {
              onApplicationBootstrap: () => (started ??= executor.start()),
              // onModuleDestroy runs before the bus closes (BusModule closes it in onApplicationShutdown),
              // so interrupted attempts can still report.
              onModuleDestroy: () => executor.stop(),
            };
          },
        },
      ],
      exports: [token],
    };
  }
}
