export * from './gateway.module';
export * from './gateway.definition';
