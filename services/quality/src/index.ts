export * from './quality.module';
export * from './quality.definition';
