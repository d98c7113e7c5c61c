export * from './service-database.module';
export * from './service-pool.module';
