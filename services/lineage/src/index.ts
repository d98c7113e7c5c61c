export * from './lineage.module';
export * from './lineage.definition';
