export * from './scheduler.module';
export * from './scheduler.definition';
export { FireLoop } from './schedules/fire.loop';
export { SchedulerClock } from './schedules/scheduler.clock';
