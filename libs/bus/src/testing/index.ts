export * from './event-bus.contract';
export * from './bus-test.event';
