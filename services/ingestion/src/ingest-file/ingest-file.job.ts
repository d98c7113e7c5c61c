import type { JobType } from '@flowforge/executor';
import type { IngestFileRunner } from './ingest-file.runner';
import { INGEST_FILE_CONFIG_SCHEMA, type IngestFileConfig } from './ingest-file.schema';

/**
 * `ingest.file`: files of a connection into a Bronze table (services/ingestion/README.md). The job type is
 * built with the runner that does the work (its stores and clients come from the ingestion module).
 */
export function ingestFileJob(runner: IngestFileRunner): JobType<IngestFileConfig> {
  return {
    type: 'ingest.file',
    version: 1,
    description:
      'Reads files of a connection (one path, a glob or a regex) into a Bronze table: CSV, JSON, Parquet or xlsx, compressed or not, ' +
      'with audit columns; rejected rows go to <table>__rejects. Files the table already has are skipped unless reprocess is set.',
    configSchema: INGEST_FILE_CONFIG_SCHEMA,
    execute: (ctx) => runner.run(ctx),
  };
}
