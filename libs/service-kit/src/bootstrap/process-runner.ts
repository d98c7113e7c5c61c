import { ConfigError, EXIT_CONFIG } from '../config/config.error';
import type { FlowForgeLogger } from '../logging/logger';
import { scrubText } from '../logging/redact';
import { processUnexpectedErrors } from '../metrics/metrics.registry';

export interface RunningProcess {
  /** Graceful stop: called once on SIGINT/SIGTERM, or after an uncaught exception. */
  stop(signal: string): Promise<void>;
}

export interface ProcessContext {
  /** From here on, unexpected errors are logged through this logger (before it exists: stderr). */
  useLogger(logger: FlowForgeLogger): void;
}

const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Exit code after an uncaught exception (graceful shutdown attempted or not). */
export const EXIT_UNCAUGHT = 70; // EX_SOFTWARE

function countUnexpected(kind: 'uncaught_exception' | 'unhandled_rejection'): void {
  try {
    processUnexpectedErrors().inc({ kind });
  } catch {
    // Counting must never be the thing that fails here.
  }
}

function errorText(err: unknown): { message: string; stack: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
  let text: string;
  try {
    text = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  } catch {
    text = String(err);
  }
  return { message: text, stack: `(not an Error) ${text}` };
}

/**
 * `npm start` and `npm run serve` (scripts/start.js) run the host as their child and set
 * FLOWFORGE_LAUNCHER_PID. A launcher killed with SIGKILL cannot forward anything: the host would go on
 * serving with nobody in front of it (its PostgreSQL and port held against the next start), so a
 * re-parented host stops itself.
 */
function watchLauncher(onGone: () => void): void {
  const launcher = Number(process.env.FLOWFORGE_LAUNCHER_PID);
  if (!Number.isInteger(launcher) || launcher <= 1 || process.ppid !== launcher) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
}

/**
 * Runs `start`, then waits for SIGINT/SIGTERM and stops gracefully (exit 0). A ConfigError exits 78
 * (EX_CONFIG) after printing every FF_CONFIG line; any other start failure exits 1.
 *
 * Errors nothing caught are never a silent death: an unhandled rejection is logged with its stack and
 * the process keeps serving (one failed background promise is not a reason to drop every request); an
 * uncaught exception is logged, then the same graceful stop runs and the process exits 70 — after it
 * the process state is unknown, so serving on would be worse than restarting.
 */
export function runProcess(start: (ctx: ProcessContext) => Promise<RunningProcess>): void {
  let running: RunningProcess | undefined;
  let stopping = false;
  let exitCode = 0;
  let stopReason = 'SIGTERM';
  let logger: FlowForgeLogger | undefined;

  const report = (code: 'FF_UNCAUGHT_EXCEPTION' | 'FF_UNHANDLED_REJECTION', err: unknown, message: string) => {
    const { message: errMessage, stack } = errorText(err);
    if (logger) {
      try {
        logger[code === 'FF_UNCAUGHT_EXCEPTION' ? 'fatal' : 'error']({ code, err: { message: errMessage, stack } }, message);
        return;
      } catch {
        // the logger itself failed: stderr below
      }
    }
    process.stderr.write(`${code}: ${message}: ${scrubText(stack)}\n`);
  };

  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      exitCode ||= code;
      return;
    }
    stopping = true;
    stopReason = reason;
    exitCode = code;
    const force = setTimeout(() => {
      process.stderr.write(`FF_SHUTDOWN_TIMEOUT: graceful shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting\n`);
      process.exit(exitCode || 1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    // Still starting: start's settlement stops what it started (an embedded PostgreSQL, say) and exits.
    if (running) stopAndExit(running, reason);
  };
  const stopAndExit = (r: RunningProcess, reason: string) =>
    void r.stop(reason).then(
      () => process.exit(exitCode),
      (err: unknown) => {
        process.stderr.write(`FF_SHUTDOWN: ${scrubText(errorText(err).stack)}\n`);
        process.exit(exitCode || 1);
      },
    );

  process.on('unhandledRejection', (reason) => {
    countUnexpected('unhandled_rejection');
    report('FF_UNHANDLED_REJECTION', reason, 'unhandled promise rejection; the process keeps serving');
  });
  process.on('uncaughtException', (err) => {
    countUnexpected('uncaught_exception');
    report('FF_UNCAUGHT_EXCEPTION', err, stopping ? 'uncaught exception while stopping' : 'uncaught exception; stopping the process');
    shutdown('uncaughtException', EXIT_UNCAUGHT);
  });
  process.once('SIGINT', (s) => shutdown(s, 0));
  process.once('SIGTERM', (s) => shutdown(s, 0));
  watchLauncher(() => {
    const message = 'the launcher (npm start, npm run serve) is gone; stopping';
    if (logger) logger.warn({ launcherPid: process.env.FLOWFORGE_LAUNCHER_PID }, message);
    else process.stderr.write(`${message}\n`);
    shutdown('launcher-exited', 0);
  });

  start({ useLogger: (l) => (logger = l) }).then(
    (r) => {
      running = r;
      if (stopping) stopAndExit(r, stopReason);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.issues.join('\n')}\n`);
        process.exit(EXIT_CONFIG);
      }
      process.stderr.write(`FF_STARTUP: ${scrubText(errorText(err).stack)}\n`);
      process.exit(exitCode || 1);
    },
  );
}
