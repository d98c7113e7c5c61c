/** The little the bus needs from a logger; pino, Nest's Logger adapter or console fit behind it. */
export interface BusLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export const consoleBusLogger: BusLogger = {
  info: () => undefined,
  warn: (message, context) => console.warn(message, context ?? ''),
  error: (message, context) => console.error(message, context ?? ''),
};
