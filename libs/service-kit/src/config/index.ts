export * from './config-variable';
export * from './config.error';
export * from './load-config';
export * from './common-config';
export * from './lake-config';
