/** Stable error codes of the bus (docs/conventions.md, Errors: a code a user can search for). */
export type BusErrorCode =
  'FF_BUS_CLOSED' | 'FF_BUS_INVALID_TOPIC' | 'FF_BUS_INVALID_EVENT_ID' | 'FF_BUS_INVALID_OPTIONS' | 'FF_BUS_HANDLER_FAILED' | 'FF_BUS_MIGRATION';

export class BusError extends Error {
  constructor(
    readonly code: BusErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'BusError';
  }
}

/** The stable code of any error (ours, the codec's, pg's SQLSTATE), or a generic one for plain errors. */
export function errorCodeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return 'FF_BUS_HANDLER_FAILED';
}

export function errorMessageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  // Nest's RPC filters throw plain objects such as { status: 'error', message: '...' }.
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(err);
    } catch {
      return Object.prototype.toString.call(err);
    }
  }
  return String(err);
}

/** Decode failures are poison: retrying cannot help, so they go to the DLQ at once. */
export function isDecodeError(err: unknown): boolean {
  return errorCodeOf(err) === 'FF_EVENT_DECODE';
}

const MAX_STORED_ERROR = 2000;

/**
 * An error message made storable as a DLQ header or a retry row: bounded, and without NUL, which
 * PostgreSQL refuses in text and jsonb — a handler failing on a NUL byte must not fail its dead letter too.
 */
export function storableErrorText(message: string): string {
  const clean = message.replace(/\u0000/g, '\uFFFD');
  return clean.length > MAX_STORED_ERROR ? `${clean.slice(0, MAX_STORED_ERROR)}…` : clean;
}
