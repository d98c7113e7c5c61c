export * from './alerting.module';
export * from './alerting.definition';
