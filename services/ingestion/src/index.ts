export * from './ingestion.module';
export * from './ingestion.definition';
export { INGEST_FILE_CONFIG_SCHEMA, type IngestFileConfig } from './ingest-file/ingest-file.schema';
export type { IngestFileOutputs } from './ingest-file/ingest-file.runner';
