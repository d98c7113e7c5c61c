export * from './queryable';
export * from './data-source.factory';
export * from './pool.factory';
