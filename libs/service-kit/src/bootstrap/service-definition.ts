import type { DynamicModule, Type } from '@nestjs/common';
import type { ConfigOf, ConfigVariables } from '../config/config-variable';
import type { ServiceName } from '../config/common-config';

/** One service as a host sees it: its name, its Nest module and the extra variables it reads. */
export interface ServiceDefinition<V extends ConfigVariables = ConfigVariables> {
  service: ServiceName;
  module: Type<unknown> | DynamicModule;
  config?: V;
}

export type ServiceConfig<D> = D extends ServiceDefinition<infer V> ? ConfigOf<V> : never;

export function defineService<V extends ConfigVariables>(def: ServiceDefinition<V>): ServiceDefinition<V> {
  return def;
}
