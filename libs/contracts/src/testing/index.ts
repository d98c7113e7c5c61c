// Test-only entry (imports jest globals): never re-exported from the main index.
export * from './schema-registry.contract';
