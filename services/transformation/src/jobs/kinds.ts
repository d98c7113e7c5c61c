import type { JobType } from '@flowforge/executor';
import type { TransformRunner } from '../run/transform.runner';
import type { TransformKind } from '../run/transform-kind';
import { goldAggregateKind } from './gold-aggregate.kind';
import { goldScd2Kind } from './gold-scd2.kind';
import { transformSilverKind } from './transform-silver.kind';
import { transformSqlKind } from './transform-sql.kind';

/** The table-writing job types of the transformation executor (services/transformation/README.md). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own config type
export function transformKinds(): TransformKind<any>[] {
  return [transformSilverKind, transformSqlKind, goldAggregateKind, goldScd2Kind];
}

/** Each kind as the executor kit's JobType, run by the shared runner. */
export function transformJobTypes(runner: TransformRunner): JobType<unknown>[] {
  return transformKinds().map((kind) => ({
    type: kind.type,
    version: kind.version,
    description: kind.description,
    configSchema: kind.configSchema,
    execute: (ctx) => runner.run(kind, ctx),
  }));
}
