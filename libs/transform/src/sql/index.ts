// Custom SQL (libs/transform/README.md, "Custom SQL"): named parameters, the sandbox, the transform.sql job type and saved templates.
export * from './sql-params';
export * from './sql-guard';
export * from './sql-sandbox';
export * from './transform-sql';
export * from './sql-template';
