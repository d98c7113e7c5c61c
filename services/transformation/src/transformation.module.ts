import { Module } from '@nestjs/common';
import { ExecutorModule, lakeStoreProvider } from '@flowforge/executor';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { exportJob } from './export/export.job';
import { ExportRunner } from './export/export.runner';
import { ExportsInternalController } from './export/exports-internal.controller';
import { transformJobTypes } from './jobs/kinds';
import { LakeInputs, TRANSFORMATION_LAKE_STORE } from './lake/lake-inputs';
import { TransformCatalogClient } from './lake/transform-catalog.client';
import { TransformLocations } from './lake/transform-locations';
import { transformationMigrations } from './migrations';
import { AsOfService } from './query/as-of.service';
import { ExpressionService } from './query/expression.service';
import { PreviewService } from './query/preview.service';
import { QueryLimits } from './query/query.limits';
import { SqlChecks } from './query/sql.checks';
import { SqlQueryService } from './query/sql-query.service';
import { TransformationInternalController } from './query/transformation-internal.controller';
import { TransformRunner } from './run/transform.runner';
import { SqlTemplateStore } from './templates/sql-template.store';
import { SqlTemplatesInternalController } from './templates/sql-templates-internal.controller';
import type { TransformationConfig } from './transformation.config';

// Four connections: an exclusive run holds one for its advisory lock while its own queries use another.
const transformationDatabase = ServiceDatabaseModule.forService({ service: 'transformation', entities: [], migrations: transformationMigrations, poolSize: 4 });

/** What the transformation job types and the query routes need: the service's database, the lake, the catalog client. */
@Module({
  imports: [transformationDatabase],
  providers: [
    lakeStoreProvider(TRANSFORMATION_LAKE_STORE, 'transformation', 'reads and writes'),
    TransformCatalogClient,
    TransformLocations,
    LakeInputs,
    TransformRunner,
    ExportRunner,
  ],
  exports: [transformationDatabase, TransformRunner, ExportRunner, LakeInputs, TransformCatalogClient],
})
export class TransformationCoreModule {}

/** The interactive routes: previews, custom SQL, expression and filter tests, templates, as-of, export history. */
@Module({
  imports: [TransformationCoreModule],
  controllers: [TransformationInternalController, SqlTemplatesInternalController, ExportsInternalController],
  providers: [QueryLimits, PreviewService, SqlQueryService, ExpressionService, AsOfService, SqlChecks, SqlTemplateStore],
})
export class TransformationQueryModule {}

/** The transformation service as a Nest module: hosted alone (main.ts) or with every other service (embedded); the `transformation` executor. */
@Module({
  imports: [
    TransformationCoreModule,
    TransformationQueryModule,
    ExecutorModule.register<TransformationConfig>({
      executor: 'transformation',
      imports: [TransformationCoreModule],
      inject: [TransformRunner, ExportRunner],
      jobTypes: (runner: TransformRunner, exports: ExportRunner) => [...transformJobTypes(runner), exportJob(exports)],
    }),
  ],
})
export class TransformationModule {}
