export * from './auth.module';
export * from './auth.definition';
export { BootstrapAdmin } from './accounts/bootstrap-admin';
