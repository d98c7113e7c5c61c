export * from './test-database';
export * from './stack.discovery';
