import type { AttemptDto, RunDto, StepChangeEventDto, StepDto, StepProgressEventDto } from '@flowforge/contracts/http-api';
import { CapturedStream } from '../testing/captured.io';
import { describeProgress, RunBoard } from './run-board';
import { createRunDisplay, LiveRunDisplay, PlainRunDisplay, PROGRESS_LINE_MS, summary } from './run-progress.display';

const RUN_ID = '3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21';
const T0 = Date.parse('2026-01-31T10:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

function step(stepId: string, over: Partial<StepDto> = {}): StepDto {
  return {
    stepId,
    job: stepId,
    jobVersion: 1,
    jobType: 'noop',
    executor: 'builtin',
    state: 'pending',
    attempt: 0,
    reason: null,
    errorCode: null,
    errorMessage: null,
    outputs: null,
    progress: null,
    nextAttemptAt: null,
    startedAt: null,
    finishedAt: null,
    attempts: [],
    ...over,
  };
}

function run(over: Partial<RunDto> = {}): RunDto {
  return {
    id: RUN_ID,
    workflow: 'daily-sales',
    workflowVersion: 2,
    state: 'running',
    reason: null,
    params: {},
    requestedBy: 'alice',
    cancelledBy: null,
    idempotencyKey: null,
    parentRunId: null,
    rerunFrom: null,
    createdAt: at(0),
    startedAt: at(0),
    finishedAt: null,
    deadlineAt: null,
    steps: [step('extract'), step('load')],
    ...over,
  };
}

const change = (stepId: string, to: StepChangeEventDto['to'], ms: number, attempt: number | null = 1, reason: string | null = null): StepChangeEventDto => ({
  runId: RUN_ID,
  stepId,
  attempt,
  from: null,
  to,
  reason,
  at: at(ms),
});

const ATTEMPT: AttemptDto = {
  attempt: 1,
  state: 'succeeded',
  executor: 'builtin',
  instanceId: 'i',
  dispatchedAt: at(0),
  startedAt: at(0),
  finishedAt: at(1),
  errorCode: null,
  errorMessage: null,
  metrics: null,
};

const progress = (
  stepId: string,
  percent: number | null,
  metrics: Record<string, number>,
  ms: number,
  attempt = 1,
  message: string | null = null,
): StepProgressEventDto => ({
  stepId,
  attempt,
  percent,
  message,
  metrics,
  at: at(ms),
});

describe('RunBoard', () => {
  it('folds step changes over the snapshot, keeping the workflow order', () => {
    const board = new RunBoard();
    board.applySnapshot(run());
    board.applyStep(change('load', 'queued', 10));
    board.applyStep(change('load', 'running', 20));
    expect([...board.steps.values()].map((s) => [s.stepId, s.state])).toEqual([
      ['extract', 'pending'],
      ['load', 'running'],
    ]);
    expect(board.steps.get('load')).toMatchObject({ attempt: 1, startedAt: at(20), finishedAt: null });
    board.applyStep(change('load', 'failed', 90, 1, 'FF_X: boom'));
    expect(board.steps.get('load')).toMatchObject({ state: 'failed', finishedAt: at(90), reason: 'FF_X: boom' });
  });

  it('when the history replays after the snapshot, starts from the beginning so states never go backwards', () => {
    const board = new RunBoard();
    const done = run({
      state: 'succeeded',
      finishedAt: at(100),
      steps: [step('extract', { state: 'succeeded', attempt: 1, attempts: [ATTEMPT] }), step('copied', { state: 'succeeded' })],
    });
    board.applySnapshot(done, true);
    expect(board.run?.state).toBe('queued');
    // `copied` came from the parent run of a rerun: no attempt, no history here, so it keeps its state.
    expect([...board.steps.values()].map((s) => s.state)).toEqual(['pending', 'succeeded']);
    board.applySnapshot(done, false);
    expect([...board.steps.values()].map((s) => s.state)).toEqual(['succeeded', 'succeeded']);
  });

  it("keeps the progress of the current attempt, drops an older attempt's, and forgets it when a new attempt starts", () => {
    const board = new RunBoard();
    board.applySnapshot(
      run({ steps: [step('load', { state: 'running', attempt: 2, progress: { attempt: 2, percent: 5, message: null, metrics: {}, at: at(0) } })] }),
    );
    expect(board.steps.get('load')!.progress).toMatchObject({ percent: 5 });
    expect(board.applyProgress(progress('load', 90, { rows: 9 }, 10, 1))).toBeUndefined(); // attempt 1 is over
    expect(board.steps.get('load')!.progress).toMatchObject({ percent: 5 });
    board.applyProgress(progress('load', 40, { rows: 4000 }, 20, 2));
    expect(board.steps.get('load')!.progress).toEqual({ attempt: 2, percent: 40, message: null, metrics: { rows: 4000 }, at: at(20) });
    expect(board.applyProgress(progress('unknown', 1, {}, 30))).toBeUndefined();
    board.applyStep(change('load', 'queued', 40, 3));
    expect(board.steps.get('load')!.progress).toBeNull();
  });

  it('describes progress in one line: percent, rows, rejected, bytes, message', () => {
    expect(
      describeProgress({ attempt: 1, percent: 45.7, message: 'reading orders.csv', metrics: { rows: 1200000, rejected: 3, bytes: 73400320 }, at: at(0) }),
    ).toBe('45% · 1,200,000 rows · 3 rejected · 70 MiB · reading orders.csv');
    expect(describeProgress({ attempt: 1, percent: null, message: null, metrics: { rowsWritten: 5 }, at: at(0) })).toBe('5 rows');
    expect(describeProgress({ attempt: 1, percent: null, message: null, metrics: {}, at: at(0) })).toBe('');
  });

  it('adds a step it did not know at the end', () => {
    const board = new RunBoard();
    board.applySnapshot(run());
    board.applyStep(change('later', 'queued', 5));
    expect([...board.steps.keys()]).toEqual(['extract', 'load', 'later']);
  });
});

describe('PlainRunDisplay (stdout is not a terminal)', () => {
  it('prints one line per change, with no escape codes', () => {
    const out = new CapturedStream(false);
    const display = createRunDisplay(out);
    expect(display).toBeInstanceOf(PlainRunDisplay);
    display.snapshot(run(), true);
    display.runChanged({ runId: RUN_ID, from: 'queued', to: 'running', reason: null, at: at(0) });
    display.stepChanged(change('extract', 'queued', 1, 1, 'attempt 1 dispatched'));
    display.stepChanged(change('extract', 'running', 2, 2));
    display.stepChanged(change('extract', 'failed', 3, 2, 'FF_X: boom'));
    display.finish(
      run({
        state: 'failed',
        finishedAt: at(3),
        reason: 'step "extract" failed',
        steps: [step('extract', { state: 'failed', attempt: 2, errorCode: 'FF_X', errorMessage: 'boom' })],
      }),
    );
    display.close();
    const lines = out.text.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual([
      'run running',
      'step extract queued: attempt 1 dispatched',
      'step extract running (attempt 2)',
      'step extract failed: FF_X: boom',
      `run ${RUN_ID} failed in 3ms: step "extract" failed`,
      '  step extract failed (attempt 2): FF_X: boom',
      `  logs: flowforge logs ${RUN_ID}`,
    ]);
    expect(out.text).not.toContain('\u001b');
  });
});

describe('PlainRunDisplay progress', () => {
  it("prints a running step's progress at most once per PROGRESS_LINE_MS", () => {
    const out = new CapturedStream(false);
    let now = T0;
    const display = createRunDisplay(out, { now: () => now });
    display.snapshot(run(), false);
    display.stepChanged(change('extract', 'running', 1));
    display.stepProgress(progress('extract', 10, { rows: 1000, bytes: 2048 }, 100));
    now += 1000;
    display.stepProgress(progress('extract', 20, { rows: 2000 }, 1100)); // too soon: not printed
    now += PROGRESS_LINE_MS;
    display.stepProgress(progress('extract', 60, { rows: 6000 }, 6100));
    display.stepProgress(progress('load', 50, { rows: 1 }, 6200)); // load is not running: not printed
    const lines = out.text
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(lines).toEqual(['step extract running', 'step extract 10% · 1,000 rows · 2.0 KiB', 'step extract 60% · 6,000 rows']);
  });
});

describe('LiveRunDisplay (stdout is a terminal)', () => {
  let now = T0;
  const live = (out: CapturedStream): LiveRunDisplay => new LiveRunDisplay(out, { color: false, now: () => now, tickMs: 60_000 });

  it('redraws its block in place: moves up over the last frame, rewrites each line, clears below', () => {
    const out = new CapturedStream(true, 100, 30);
    const display = live(out);
    expect(createRunDisplay(out)).toBeInstanceOf(LiveRunDisplay);
    display.snapshot(run(), true);
    now = T0 + 1500;
    display.stepChanged(change('extract', 'running', 500));
    expect(display.frame()).toEqual([
      `run ${RUN_ID}  daily-sales v2  queued`,
      expect.stringMatching(/^ {2}\S extract {2}running {10}1\.0s$/),
      '  · load     pending',
    ]);
    // The second frame starts by going back up over the three lines of the first.
    const frames = out.text.split('\u001b[3F');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[frames.length - 1]).toContain('\u001b[2K');
    expect(out.text.startsWith('\u001b[?25l')).toBe(true);
    display.close();
  });

  it('ends with the final frame, shows the cursor again and prints the summary', () => {
    const out = new CapturedStream(true, 100, 30);
    const display = live(out);
    display.snapshot(run(), true);
    display.finish(
      run({
        state: 'succeeded',
        finishedAt: at(2500),
        steps: [
          step('extract', { state: 'succeeded', attempt: 1, startedAt: at(0), finishedAt: at(1200), attempts: [ATTEMPT] }),
          step('load', { state: 'succeeded', attempt: 2, startedAt: at(1200), finishedAt: at(2500), attempts: [ATTEMPT] }),
        ],
      }),
    );
    expect(display.frame()).toEqual([
      `run ${RUN_ID}  daily-sales v2  succeeded  2.5s`,
      '  ✔ extract  succeeded        1.2s',
      '  ✔ load     succeeded        1.3s     attempt 2',
    ]);
    expect(out.text).toContain('\u001b[?25h');
    expect(out.text.endsWith(`run ${RUN_ID} succeeded in 2.5s\n`)).toBe(true);
    display.close(); // twice is fine
    expect(out.text.match(/\u001b\[\?25h/g)).toHaveLength(1);
  });

  it("shows a running step's progress on its line", () => {
    const out = new CapturedStream(true, 120, 30);
    const display = live(out);
    now = T0 + 2000;
    display.snapshot(run(), false);
    display.stepChanged(change('extract', 'running', 1000));
    display.stepProgress(progress('extract', 45, { rows: 1200000, bytes: 73400320 }, 1900, 1, 'reading orders.csv'));
    expect(display.frame()[1]).toMatch(/extract {2}running {10}1\.0s {5}45% · 1,200,000 rows · 70 MiB · reading orders\.csv$/);
    display.close();
  });

  it('cuts lines to the terminal width so none wraps', () => {
    const out = new CapturedStream(true, 40, 30);
    const display = live(out);
    display.snapshot(run({ steps: [step('a-very-long-step-name-that-goes-on-and-on', { state: 'failed', reason: 'FF_SOMETHING: a long story' })] }), false);
    for (const line of display.frame()) expect(line.length).toBeLessThanOrEqual(39);
    display.close();
  });

  it('shows the steps that matter when there are more than the terminal has rows', () => {
    const out = new CapturedStream(true, 100, 8);
    const display = live(out);
    const steps = Array.from({ length: 20 }, (_, i) => step(`s${i}`, { state: i === 17 ? 'running' : i < 10 ? 'succeeded' : 'pending' }));
    display.snapshot(run({ steps }), false);
    const frame = display.frame();
    expect(frame.length).toBeLessThanOrEqual(7);
    expect(frame.some((l) => /s17 +running/.test(l))).toBe(true);
    expect(frame[frame.length - 1]).toMatch(/… 16 more: /);
    display.close();
  });
});

describe('summary', () => {
  it('is one line for a success, and names each failed step and where the logs are otherwise', () => {
    expect(summary(run({ state: 'succeeded', finishedAt: at(850) }))).toBe(`run ${RUN_ID} succeeded in 850ms\n`);
    const text = summary(
      run({
        state: 'timed_out',
        finishedAt: at(5000),
        reason: 'FF_RUN_TIMEOUT',
        steps: [step('load', { state: 'timed_out', attempt: 3, errorCode: 'FF_STEP_TIMEOUT', errorMessage: 'after 1000 ms' })],
      }),
    );
    expect(text).toContain(`run ${RUN_ID} timed_out in 5.0s: FF_RUN_TIMEOUT`);
    expect(text).toContain('step load timed_out (attempt 3): FF_STEP_TIMEOUT: after 1000 ms');
  });
});
