// Generated from proto/**/*.avsc by npm run contracts:gen — do not edit.
export * from './asset-committed.event';
export * from './audit-recorded.event';
export * from './auth-access-changed.event';
export * from './auth-session-revoked.event';
export * from './executor-registered.event';
export * from './run-requested.event';
export * from './run-state-changed.event';
export * from './step-cancel-requested.event';
export * from './step-completed.event';
export * from './step-dispatched.event';
export * from './step-failed.event';
export * from './step-log.event';
export * from './step-progress.event';
export * from './step-started.event';
export * from './system-echo-requested.event';
export * from './event-map';
