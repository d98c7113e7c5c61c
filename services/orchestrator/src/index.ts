export * from './orchestrator.module';
export * from './orchestrator.definition';
