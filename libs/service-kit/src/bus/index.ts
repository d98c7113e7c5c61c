export * from './bus.module';
