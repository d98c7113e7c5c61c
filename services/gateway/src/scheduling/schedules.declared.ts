import type { DeclaredDocument } from '@flowforge/workflow';
import type { DeclaredBackend } from '../workflow-as-code/declared-documents';
import type { SchedulerClient } from './scheduler.client';

const enc = encodeURIComponent;

/**
 * `kind: Schedule` documents: the spec is the body of PUT /schedules/{name} (a whole replacement: a
 * document without `paused: true` resumes a paused schedule), and a schedule of the list as a document —
 * the fields that differ from their defaults, plus workflow, cron or preset, time zone, catchup and overlap.
 */
export function schedulesBackend(client: SchedulerClient): DeclaredBackend {
  return {
    kind: 'Schedule',
    applyPermission: 'schedule:edit',
    viewPermission: 'schedule:view',
    send: (call, req) => client.send(call, req),
    path: (name) => `/schedules/${enc(name)}`,
    listPath: '/schedules',
    body: (doc) => ({ ...doc.spec, ...(doc.description !== undefined ? { description: doc.description } : {}) }),
    document: (v): DeclaredDocument => {
      const spec: Record<string, unknown> = { workflow: v.workflow };
      if (typeof v.workflowVersion === 'number') spec.workflowVersion = v.workflowVersion;
      if (v.preset !== null && v.preset !== undefined) spec.preset = v.preset;
      else spec.cron = v.cron;
      spec.timezone = v.timezone;
      const params = v.params as Record<string, string> | undefined;
      if (params && Object.keys(params).length > 0) spec.params = params;
      spec.catchup = v.catchup;
      if (v.catchupCap !== 10) spec.catchupCap = v.catchupCap;
      spec.overlap = v.overlap;
      if (typeof v.jitterMs === 'number' && v.jitterMs > 0) spec.jitterMs = v.jitterMs;
      if (Array.isArray(v.excludedDates) && v.excludedDates.length > 0) spec.excludedDates = v.excludedDates;
      if (Array.isArray(v.calendars) && v.calendars.length > 0) spec.calendars = v.calendars;
      if (typeof v.autoPauseAfterFailures === 'number') spec.autoPauseAfterFailures = v.autoPauseAfterFailures;
      if (v.paused === true) {
        spec.paused = true;
        if (typeof v.pauseNote === 'string') spec.pauseNote = v.pauseNote;
      }
      return {
        kind: 'Schedule',
        name: String(v.name),
        ...(typeof v.description === 'string' && v.description !== '' ? { description: v.description } : {}),
        workflow: String(v.workflow),
        spec,
      };
    },
  };
}
