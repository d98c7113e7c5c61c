export * from './reconciliation.module';
export * from './reconciliation.definition';
