export * from './orchestrator.probe';
