/**
 * The little the kit needs from a logger (message first, like BusLogger). pino fits behind it with
 * `pinoExecutorLogger`; tests pass an array-backed one.
 */
export interface ExecutorLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Default when the host gives none: warnings and errors only, on stderr. */
export const consoleExecutorLogger: ExecutorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, context) => console.warn(message, context ?? ''),
  error: (message, context) => console.error(message, context ?? ''),
};

/** What pino offers (fields first); typed structurally so the kit does not depend on pino. */
export interface PinoLike {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function pinoExecutorLogger(logger: PinoLike): ExecutorLogger {
  return {
    debug: (message, context) => logger.debug(context ?? {}, message),
    info: (message, context) => logger.info(context ?? {}, message),
    warn: (message, context) => logger.warn(context ?? {}, message),
    error: (message, context) => logger.error(context ?? {}, message),
  };
}
