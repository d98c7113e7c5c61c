import type { JobType } from '@flowforge/executor';
import type { TransformRunner } from '../run/transform.runner';
import type { TransformKind } from '../run/transform-kind';

/** The table-writing job types of the transformation executor (services/transformation/README.md). */
export function transformKinds(): TransformKind<any>[] {
  return [];
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
