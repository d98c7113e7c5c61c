import { ConfigError, EXIT_CONFIG } from '../config/config.error';
import { scrubText } from '../logging/redact';

export interface RunningProcess {
  /** Graceful stop: called once on SIGINT/SIGTERM. */
  stop(signal: string): Promise<void>;
}

const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * Runs `start`, then waits for SIGINT/SIGTERM and stops gracefully (exit 0). A ConfigError exits 78
 * (EX_CONFIG) after printing every FF_CONFIG line; any other start failure exits 1.
 */
export function runProcess(start: () => Promise<RunningProcess>): void {
  let running: RunningProcess | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write(`FF_SHUTDOWN_TIMEOUT: graceful shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    void (running ? running.stop(signal) : Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`FF_SHUTDOWN: ${scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  start().then(
    (r) => {
      running = r;
      if (stopping) void r.stop('SIGTERM').finally(() => process.exit(0));
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.issues.join('\n')}\n`);
        process.exit(EXIT_CONFIG);
      }
      process.stderr.write(`FF_STARTUP: ${scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
      process.exit(1);
    },
  );
}
