export * from './triggers.module';
export * from './triggers.definition';
export * from './chaining';
