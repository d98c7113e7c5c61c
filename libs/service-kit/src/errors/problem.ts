/** RFC 9457 problem details, plus FlowForge's stable `code`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  /** Field-level reasons for validation problems. */
  errors?: { field: string; message: string; position?: number }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://flowforge.dev/problems/';

/** `FF_ECHO_NOT_FOUND` → `https://flowforge.dev/problems/echo-not-found`: a stable, documentable URI. */
export function problemType(code: string): string {
  return TYPE_BASE + code.replace(/^FF_/, '').toLowerCase().replace(/_/g, '-');
}

/**
 * An error a user can act on: stable code, HTTP status, message. Throw it (or a subclass) from
 * handlers; ProblemDetailsFilter turns it into problem+json.
 */
export class FlowForgeError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    /** `position`: 0-based offset inside the field's text (an expression, a SQL query), when the problem is inside it. */
    readonly fieldErrors?: { field: string; message: string; position?: number }[],
  ) {
    super(detail);
    this.name = 'FlowForgeError';
  }

  /** Response headers the answer carries (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
}

export class NotFoundProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 404, 'Not found', detail);
  }
}

export class ValidationProblem extends FlowForgeError {
  constructor(errors: { field: string; message: string }[]) {
    super('FF_VALIDATION', 400, 'Request validation failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
}

export class UpstreamProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 502, 'Upstream service failed', detail);
  }
}
