import type { RunChangeEventDto, RunDto, StepChangeEventDto, StepProgressEventDto } from '@flowforge/contracts/http-api';
import type { OutputStream } from '../cli.io';
import { describeProgress, RunBoard, isFinalStepState, type StepStatus } from './run-board';
import { displayWidth, truncate } from './table.renderer';
import { elapsed } from './time.format';

/** What `--wait` shows while a run goes on, and the summary once it is final. */
export interface RunProgressDisplay {
  /** See RunFeedEvent: with `historyFollows`, the changes that follow rebuild the state from the start. */
  snapshot(run: RunDto, historyFollows: boolean): void;
  runChanged(change: RunChangeEventDto): void;
  stepChanged(change: StepChangeEventDto): void;
  /** A step reported progress (percent, rows, bytes): live on a terminal, a line now and then otherwise. */
  stepProgress(progress: StepProgressEventDto): void;
  /** The final run (with its steps, read once the stream ended): the last frame and the summary. */
  finish(run: RunDto): void;
  /** Stops redrawing and gives the terminal back; safe to call twice. */
  close(): void;
}

export interface DisplayOptions {
  /** `NO_COLOR` (https://no-color.org) turns colours off. */
  color?: boolean;
  now?: () => number;
  /** Live redraw period for spinners and clocks; default 100 ms. */
  tickMs?: number;
}

/** A live display on a terminal; one plain line per change otherwise (CI logs, pipes). */
export function createRunDisplay(out: OutputStream, options: DisplayOptions = {}): RunProgressDisplay {
  return out.isTTY ? new LiveRunDisplay(out, options) : new PlainRunDisplay(out, options.now);
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICONS: Record<string, string> = {
  pending: '·',
  succeeded: '✔',
  failed: '✖',
  timed_out: '✖',
  upstream_failed: '-',
  skipped: '↷',
  cancelled: '⊘',
  retrying: '↻',
};
const COLORS: Record<string, string> = {
  succeeded: '32',
  failed: '31',
  timed_out: '31',
  upstream_failed: '31',
  cancelled: '33',
  retrying: '33',
  running: '36',
  queued: '36',
  pending: '2',
  skipped: '2',
};

const ESC = '\u001b[';

/**
 * Redraws the run's block in place: a header line (run, workflow, state, clock) and one line per
 * step (icon, state, time, attempt or failure), animated by a ticker. Lines are cut to the terminal
 * width, so none wraps and the cursor arithmetic stays right; a run with more steps than the
 * terminal has rows shows the ones that matter (active, failed) and counts the rest.
 */
export class LiveRunDisplay implements RunProgressDisplay {
  private readonly board = new RunBoard();
  private readonly color: boolean;
  private readonly now: () => number;
  private drawnLines = 0;
  private frameNo = 0;
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly out: OutputStream,
    options: DisplayOptions = {},
  ) {
    this.color = options.color ?? true;
    this.now = options.now ?? Date.now;
    this.out.write(`${ESC}?25l`); // hide the cursor while redrawing
    this.ticker = setInterval(() => this.draw(), options.tickMs ?? 100);
    this.ticker.unref();
  }

  snapshot(run: RunDto, historyFollows: boolean): void {
    this.board.applySnapshot(run, historyFollows);
    this.draw();
  }

  runChanged(change: RunChangeEventDto): void {
    this.board.applyRun(change);
    this.draw();
  }

  stepChanged(change: StepChangeEventDto): void {
    this.board.applyStep(change);
    this.draw();
  }

  stepProgress(progress: StepProgressEventDto): void {
    if (this.board.applyProgress(progress)) this.draw();
  }

  finish(run: RunDto): void {
    this.board.applySnapshot(run);
    this.draw();
    this.close();
    this.out.write(summary(run));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    this.out.write(`${ESC}?25h`);
  }

  /** The frame as plain text lines (no colours, no escapes): what the terminal shows. */
  frame(): string[] {
    return this.frameLines().map((l) => l.text);
  }

  private frameLines(): { text: string; state?: string }[] {
    const run = this.board.run;
    if (!run) return [];
    const spin = SPINNER[this.frameNo % SPINNER.length]!;
    const width = Math.max(20, (this.out.columns || 80) - 1); // a pty may say 0: unknown
    const clock = elapsed(run.startedAt, run.finishedAt, this.now());
    const header = `run ${run.id}  ${run.workflow} v${run.workflowVersion}  ${run.state}${clock ? `  ${clock}` : ''}`;
    const steps = [...this.board.steps.values()];
    const idWidth = Math.min(30, Math.max(4, ...steps.map((s) => displayWidth(s.stepId))));
    const room = Math.max(3, (this.out.rows || 24) - 3);
    const shown = steps.length > room ? this.mostRelevant(steps, room - 1) : steps;
    const lines: { text: string; state?: string }[] = [{ text: header, state: run.state }];
    for (const s of shown) {
      const icon = ICONS[s.state] ?? spin;
      const took = s.startedAt ? elapsed(s.startedAt, isFinalStepState(s.state) ? s.finishedAt : null, this.now()) : '';
      const attempt = s.attempt > 1 ? `attempt ${s.attempt}` : '';
      const progress = s.state === 'running' && s.progress ? describeProgress(s.progress) : '';
      const note = s.state === 'failed' || s.state === 'timed_out' ? (s.reason ?? '') : [attempt, progress].filter(Boolean).join(' · ');
      lines.push({ text: `  ${icon} ${pad(truncate(s.stepId, idWidth), idWidth)}  ${pad(s.state, 15)}  ${pad(took, 7)}  ${note}`.trimEnd(), state: s.state });
    }
    if (shown.length < steps.length) {
      const hidden = steps.filter((s) => !shown.includes(s));
      const counts = new Map<string, number>();
      for (const s of hidden) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
      lines.push({ text: `  … ${hidden.length} more: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}` });
    }
    return lines.map((l) => ({ ...l, text: truncate(l.text, width) }));
  }

  private mostRelevant(steps: StepStatus[], n: number): StepStatus[] {
    const rank = (s: StepStatus): number => (['running', 'queued', 'retrying'].includes(s.state) ? 0 : ['failed', 'timed_out'].includes(s.state) ? 1 : 2);
    const keep = new Set([...steps].sort((a, b) => rank(a) - rank(b)).slice(0, n));
    return steps.filter((s) => keep.has(s));
  }

  private draw(): void {
    if (this.closed) return;
    this.frameNo++;
    const lines = this.frameLines();
    let text = this.drawnLines > 0 ? `${ESC}${this.drawnLines}F` : '';
    for (const line of lines) text += `${ESC}2K${this.paint(line.text, line.state)}\n`;
    text += `${ESC}0J`; // a shorter frame than the last: clear what is left below
    this.drawnLines = lines.length;
    this.out.write(text);
  }

  private paint(line: string, state: string | undefined): string {
    const code = state === undefined ? undefined : COLORS[state];
    return this.color && code ? `${ESC}${code}m${line}${ESC}0m` : line;
  }
}

/** Off a terminal, a running step's progress is printed at most this often (a CI log stays readable). */
export const PROGRESS_LINE_MS = 5_000;

/** One line per change, with the time it happened: readable in CI logs and greppable. */
export class PlainRunDisplay implements RunProgressDisplay {
  private readonly board = new RunBoard();
  /** When each step's progress was last printed: at most one line per PROGRESS_LINE_MS per step. */
  private readonly progressPrinted = new Map<string, number>();

  constructor(
    private readonly out: OutputStream,
    private readonly now: () => number = Date.now,
  ) {}

  snapshot(run: RunDto, historyFollows: boolean): void {
    // Nothing to print: the changes that follow tell the story (from the start, or since a reconnect).
    this.board.applySnapshot(run, historyFollows);
  }

  runChanged(change: RunChangeEventDto): void {
    this.board.applyRun(change);
    this.out.write(`${clockOf(change.at)} run ${change.to}${change.reason ? `: ${change.reason}` : ''}\n`);
  }

  stepChanged(change: StepChangeEventDto): void {
    const step = this.board.applyStep(change);
    const attempt = change.to === 'running' || change.to === 'queued' ? (step.attempt > 1 ? ` (attempt ${step.attempt})` : '') : '';
    this.out.write(`${clockOf(change.at)} step ${change.stepId} ${change.to}${attempt}${change.reason ? `: ${change.reason}` : ''}\n`);
  }

  stepProgress(progress: StepProgressEventDto): void {
    const step = this.board.applyProgress(progress);
    if (!step?.progress || step.state !== 'running') return;
    const last = this.progressPrinted.get(step.stepId);
    if (last !== undefined && this.now() - last < PROGRESS_LINE_MS) return;
    this.progressPrinted.set(step.stepId, this.now());
    this.out.write(`${clockOf(progress.at)} step ${step.stepId} ${describeProgress(step.progress)}\n`);
  }

  finish(run: RunDto): void {
    this.out.write(summary(run));
  }

  close(): void {}
}

/** The last words on a run: its outcome and, when it did not succeed, which steps failed and why. */
export function summary(run: RunDto): string {
  const took = elapsed(run.startedAt ?? run.createdAt, run.finishedAt);
  let text = `run ${run.id} ${run.state}${took ? ` in ${took}` : ''}${run.state !== 'succeeded' && run.reason ? `: ${run.reason}` : ''}\n`;
  if (run.state === 'succeeded') return text;
  for (const s of run.steps ?? []) {
    if (!['failed', 'timed_out'].includes(s.state)) continue;
    const why = s.errorCode ? `${s.errorCode}: ${s.errorMessage ?? ''}` : (s.reason ?? '');
    text += `  step ${s.stepId} ${s.state} (attempt ${s.attempt})${why ? `: ${why}` : ''}\n`;
  }
  text += `  logs: flowforge logs ${run.id}\n`;
  return text;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function clockOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
