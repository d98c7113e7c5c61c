import { type DynamicModule, Module, type ModuleMetadata, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { EVENT_BUS, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { pinoExecutorLogger } from '../executor.logger';
import { StepExecutor, type StepExecutorOptions } from '../step.executor';
import type { StepExecutorName } from '../step.executor';
import type { JobType } from '../job-type';

export interface ExecutorModuleOptions<G = unknown> extends Omit<StepExecutorOptions, 'bus' | 'logger' | 'jobTypes'> {
  /**
   * The job types, or a factory of them given the `inject` providers (job types that need the host's
   * services: a store, a client of a peer). The factory runs once, when the executor is built.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the injected providers' types are the caller's
  jobTypes: ReadonlyArray<JobType> | ((...deps: any[]) => ReadonlyArray<JobType>);
  /** Providers the `jobTypes` factory receives, in order. */
  inject?: (string | symbol | Function)[];
  /** Modules that export the `inject` providers. */
  imports?: ModuleMetadata['imports'];
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
    const { enabledWhen, jobTypes, inject = [], imports = [], ...executorOptions } = opts;
    const token = stepExecutorToken(opts.executor);
    return {
      module: ExecutorModule,
      imports,
      providers: [
        {
          provide: token,
          inject: [EVENT_BUS, { token: LOGGER, optional: true }, ...inject],
          useFactory: (bus: EventBus, logger?: FlowForgeLogger, ...deps: unknown[]) =>
            new StepExecutor({
              ...executorOptions,
              jobTypes: typeof jobTypes === 'function' ? jobTypes(...deps) : jobTypes,
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
            // Started once, whatever the host: Nest's deferred hybrid microservice runs onApplicationBootstrap a
            // second time when it listens unless told it ran (service-kit's host tells it; another host may not).
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
