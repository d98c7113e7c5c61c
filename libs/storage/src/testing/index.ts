// Test support for the object store port; deliberately not exported from the main index so production
// code never pulls jest globals or test servers in.
export { describeObjectStoreContract, collect, type ObjectStoreContractOptions, type ObjectStoreFixture } from './object-store.contract';
export { deterministicStream, hashStream } from './deterministic-stream';
export { startS3rver, type S3rverHandle } from './s3rver.server';
