import type { JobType } from '@flowforge/executor';
import { EXPORT_CONFIG_SCHEMA, type RawExportConfig } from '@flowforge/transform';
import type { ExportRunner } from './export.runner';

/** `export`: a lake table to a file (Parquet, CSV, Excel) in a file connection, or into a warehouse (services/transformation/README.md). */
export function exportJob(runner: ExportRunner): JobType<RawExportConfig> {
  return {
    type: 'export',
    version: 1,
    description:
      'Exports a lake table, whole or only the rows since the last export to the same destination, as a Parquet, CSV or Excel file into a file connection, or into Snowflake, BigQuery, Amazon Redshift or Azure Synapse.',
    configSchema: EXPORT_CONFIG_SCHEMA,
    execute: (ctx) => runner.run(ctx),
  };
}
