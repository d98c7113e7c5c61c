export * from './host-runtime';
export * from './service-definition';
export * from './kit.module';
export * from './host-config';
export * from './host-app';
export * from './process-runner';
export * from './bootstrap-service';
