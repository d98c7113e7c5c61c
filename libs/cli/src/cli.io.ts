/** Where the CLI writes: process.stdout / process.stderr, or a capture in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** A terminal: live displays redraw in place; otherwise one plain line per change. */
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Everything the CLI takes from its process, injected so that tests run it in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Read by `apply -f -` and `login --password-stdin`. */
  stdin?: AsyncIterable<Buffer | string>;
  /**
   * Asks the person at the terminal (login's username, password, code); absent when stdin is not a
   * terminal (CI, pipes), so commands say which flag to pass instead of waiting for input that never
   * comes. `secret`: the answer is not echoed.
   */
  prompt?: (question: string, options?: { secret?: boolean }) => Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative file paths resolve against this. */
  cwd: string;
  /** Aborted on Ctrl+C: waits and streams stop, the display restores the terminal. */
  signal?: AbortSignal;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Line-oriented writing on top of the streams, the one place that knows about `--json`. */
export class CliOutput {
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  get stdout(): OutputStream {
    return this.io.stdout;
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Text that already ends its lines (a table, YAML). */
  text(text: string): void {
    this.io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  data(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line (streams: `logs --follow --json`). */
  record(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Notes for the person, never for a pipe: stderr, so stdout stays clean data. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
