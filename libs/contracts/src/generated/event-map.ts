// Generated from proto/**/*.avsc by npm run contracts:gen — do not edit.
// Topic → definition and topic → payload type (immich EventMap): a handler keyed by topic gets its
// payload type from TopicEventMap, and `satisfies` proves both maps agree.
import type { EventDefinition } from '../event-definition';
import { AssetCommitted, type AssetCommittedEvent } from './asset-committed.event';
import { AuditRecorded, type AuditRecordedEvent } from './audit-recorded.event';
import { AuthAccessChanged, type AuthAccessChangedEvent } from './auth-access-changed.event';
import { AuthSessionRevoked, type AuthSessionRevokedEvent } from './auth-session-revoked.event';
import { ExecutorRegistered, type ExecutorRegisteredEvent } from './executor-registered.event';
import { RunRequested, type RunRequestedEvent } from './run-requested.event';
import { RunStateChanged, type RunStateChangedEvent } from './run-state-changed.event';
import { StepCancelRequested, type StepCancelRequestedEvent } from './step-cancel-requested.event';
import { StepCompleted, type StepCompletedEvent } from './step-completed.event';
import { StepDispatched, type StepDispatchedEvent } from './step-dispatched.event';
import { StepFailed, type StepFailedEvent } from './step-failed.event';
import { StepLog, type StepLogEvent } from './step-log.event';
import { StepProgress, type StepProgressEvent } from './step-progress.event';
import { StepStarted, type StepStartedEvent } from './step-started.event';
import { EchoRequested, type EchoRequestedEvent } from './system-echo-requested.event';

/** Every event definition, one per schema (e.g. to register all schemas at boot). */
export const AllEventDefinitions = [
  AssetCommitted,
  AuditRecorded,
  AuthAccessChanged,
  AuthSessionRevoked,
  ExecutorRegistered,
  RunRequested,
  RunStateChanged,
  StepCancelRequested,
  StepCompleted,
  StepDispatched,
  StepFailed,
  StepLog,
  StepProgress,
  StepStarted,
  EchoRequested,
] as const;

export interface TopicEventMap {
  'flowforge.asset.committed': AssetCommittedEvent;
  'flowforge.audit.recorded': AuditRecordedEvent;
  'flowforge.auth.access-changed': AuthAccessChangedEvent;
  'flowforge.auth.session-revoked': AuthSessionRevokedEvent;
  'flowforge.executor.registered': ExecutorRegisteredEvent;
  'flowforge.run.requested': RunRequestedEvent;
  'flowforge.run.state-changed': RunStateChangedEvent;
  'flowforge.step.cancel-requested': StepCancelRequestedEvent;
  'flowforge.step.completed': StepCompletedEvent;
  'flowforge.step.dispatched.builtin': StepDispatchedEvent;
  'flowforge.step.dispatched.ingestion': StepDispatchedEvent;
  'flowforge.step.dispatched.quality': StepDispatchedEvent;
  'flowforge.step.dispatched.reconciliation': StepDispatchedEvent;
  'flowforge.step.dispatched.transformation': StepDispatchedEvent;
  'flowforge.step.failed': StepFailedEvent;
  'flowforge.step.log': StepLogEvent;
  'flowforge.step.progress': StepProgressEvent;
  'flowforge.step.started': StepStartedEvent;
  'flowforge.system.echo-requested': EchoRequestedEvent;
}

export type EventTopic = keyof TopicEventMap;
export type EventPayload<K extends EventTopic> = TopicEventMap[K];

export const Events = {
  'flowforge.asset.committed': AssetCommitted,
  'flowforge.audit.recorded': AuditRecorded,
  'flowforge.auth.access-changed': AuthAccessChanged,
  'flowforge.auth.session-revoked': AuthSessionRevoked,
  'flowforge.executor.registered': ExecutorRegistered,
  'flowforge.run.requested': RunRequested,
  'flowforge.run.state-changed': RunStateChanged,
  'flowforge.step.cancel-requested': StepCancelRequested,
  'flowforge.step.completed': StepCompleted,
  'flowforge.step.dispatched.builtin': StepDispatched,
  'flowforge.step.dispatched.ingestion': StepDispatched,
  'flowforge.step.dispatched.quality': StepDispatched,
  'flowforge.step.dispatched.reconciliation': StepDispatched,
  'flowforge.step.dispatched.transformation': StepDispatched,
  'flowforge.step.failed': StepFailed,
  'flowforge.step.log': StepLog,
  'flowforge.step.progress': StepProgress,
  'flowforge.step.started': StepStarted,
  'flowforge.system.echo-requested': EchoRequested,
} as const satisfies { readonly [K in EventTopic]: EventDefinition<TopicEventMap[K]> };
