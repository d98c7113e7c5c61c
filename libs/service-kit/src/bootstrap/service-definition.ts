import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { ConfigOf, ConfigVariables } from '../config/config-variable';
import type { ServiceName } from '../config/common-config';

/** One service as a host sees it: its name, its Nest module and the extra variables it reads. */
export interface ServiceDefinition<V extends ConfigVariables = ConfigVariables> {
  service: ServiceName;
  module: Type<unknown> | DynamicModule;
  config?: V;
  /**
   * Called once the host's Nest application exists (providers built, before init and listen), for
   * the rare module that needs the application itself — the gateway documents its routes from it.
   * Not called for preview applications.
   */
  configureApp?: (app: INestApplication) => void;
}

export type ServiceConfig<D> = D extends ServiceDefinition<infer V> ? ConfigOf<V> : never;

export function defineService<V extends ConfigVariables>(def: ServiceDefinition<V>): ServiceDefinition<V> {
  return def;
}
