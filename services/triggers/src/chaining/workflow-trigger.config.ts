import { z } from 'zod';
import { NAME_PATTERN } from '@flowforge/workflow';
import { ConditionSyntaxError, MAX_CONDITION_LENGTH, parseCondition } from './condition.parser';

export const UPSTREAM_MAX = 20;
export const WINDOW_MIN_MS = 1_000;
export const WINDOW_MAX_MS = 7 * 24 * 3_600_000;
export const WINDOW_DEFAULT_MS = 3_600_000;

/** Which terminal states of an upstream run count: `failure` is failed or timed out; `finished` is any end, cancelled included. */
export const WorkflowTriggerOn = ['success', 'failure', 'finished'] as const;
export type WorkflowTriggerOn = (typeof WorkflowTriggerOn)[number];

export const TERMINAL_RUN_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;

const STATES_OF: Record<WorkflowTriggerOn, readonly string[]> = {
  success: ['succeeded'],
  failure: ['failed', 'timed_out'],
  finished: TERMINAL_RUN_STATES,
};

export function onMatches(on: WorkflowTriggerOn, state: string): boolean {
  return STATES_OF[on].includes(state);
}

/**
 * A `workflow` trigger's config: run this trigger's workflow when the upstream workflows end. Plain zod
 * (no transforms), so the OpenAPI document can show it; the defaults that depend on other fields are
 * resolved by `resolveWorkflowTrigger`.
 */
export const workflowTriggerConfigSchema = z
  .strictObject({
    upstream: z
      .array(z.string().regex(NAME_PATTERN, 'must be a workflow name (lower-case letters, digits, "_", ".", "-"; at most 63)'))
      .min(1, 'names at least one workflow')
      .max(UPSTREAM_MAX, `names at most ${UPSTREAM_MAX} workflows`)
      .describe('the workflows whose runs this trigger follows (1 to 20 names)'),
    on: z.enum(WorkflowTriggerOn).describe('success: the upstream run succeeded; failure: it failed or timed out; finished: it ended in any way'),
    condition: z
      .string()
      .max(MAX_CONDITION_LENGTH)
      .optional()
      .describe(
        'an expression over the upstream run, e.g. steps.load.outputs.rowsWritten > 0 && state == "succeeded" (paths steps.<step>.outputs.<name>, state, workflow, runId; == != < <= > >= && || ! and parentheses)',
      ),
    waitForAll: z.boolean().optional().describe('fire once every upstream workflow reached `on` within windowMs; default true when upstream names several'),
    windowMs: z
      .number()
      .int()
      .min(WINDOW_MIN_MS)
      .max(WINDOW_MAX_MS)
      .optional()
      .describe('with waitForAll: how long after the first upstream run ended the others may still arrive (default one hour)'),
    timeoutAction: z
      .enum(['fire', 'skip'])
      .optional()
      .describe('with waitForAll: when the window ends incomplete, fire with what arrived or skip (default skip); recorded either way'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.upstream.forEach((name, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['upstream', i], message: `names "${name}" twice` });
      seen.add(name);
    });
    if (c.condition !== undefined) {
      try {
        parseCondition(c.condition);
      } catch (err) {
        if (!(err instanceof ConditionSyntaxError)) throw err;
        ctx.addIssue({ code: 'custom', path: ['condition'], message: `does not parse: ${err.message}` });
      }
    }
    const waits = c.waitForAll ?? c.upstream.length > 1;
    if (!waits && (c.windowMs !== undefined || c.timeoutAction !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.windowMs !== undefined ? 'windowMs' : 'timeoutAction'], message: 'applies only with waitForAll' });
    }
  });

export type WorkflowTriggerConfig = z.infer<typeof workflowTriggerConfigSchema>;

/** The config with every default applied. */
export interface ResolvedWorkflowTrigger {
  upstream: string[];
  on: WorkflowTriggerOn;
  condition: string | null;
  waitForAll: boolean;
  windowMs: number;
  timeoutAction: 'fire' | 'skip';
}

export function resolveWorkflowTrigger(c: WorkflowTriggerConfig): ResolvedWorkflowTrigger {
  const waitForAll = (c.waitForAll ?? c.upstream.length > 1) && c.upstream.length > 1;
  return {
    upstream: c.upstream,
    on: c.on,
    condition: c.condition ?? null,
    waitForAll,
    windowMs: c.windowMs ?? WINDOW_DEFAULT_MS,
    timeoutAction: c.timeoutAction ?? 'skip',
  };
}
