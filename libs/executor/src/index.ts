export type { JobType, JobContext, JobResult, JobProgress, JobLogger, JobLogFields } from './job-type';
export { JobError, ExecutorError, type StepFailureCode, type ExecutorErrorCode } from './job.error';
export { consoleExecutorLogger, pinoExecutorLogger, type ExecutorLogger, type PinoLike } from './executor.logger';
export { StepExecutor, dispatchGroup, cancelGroup, type StepExecutorOptions, type StepExecutorStatus, type StepExecutorName } from './step.executor';
export { JobConfigValidator } from './job-config.validator';
export * from './builtin';
export { ExecutorModule, stepExecutorToken, type ExecutorModuleOptions } from './nest/executor.module';
export {
  LakeCatalogClient,
  type AssetInfo,
  type CommitBody,
  type ExecutorConnection,
  type SnapshotDetail,
  type SnapshotInfo,
  type SourceInput,
  type SourceSnapshot,
  type StepCall,
} from './catalog/lake-catalog.client';
export { ConnectionLocations, type ConnectionLocationsOptions, type ResolvedLocation } from './catalog/connection-locations';
export { lakeStoreProvider } from './catalog/lake-store.provider';
