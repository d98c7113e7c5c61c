import { FlowForgeError } from '@flowforge/service-kit';

/** 401: who you are could not be established. The detail never says which part was wrong when that would help an attacker. */
export class UnauthenticatedProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 401, 'Unauthorized', detail);
  }
}

export class ForbiddenProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 403, 'Forbidden', detail);
  }
}

export class ConflictProblem extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 409, 'Conflict', detail);
  }
}

export class BadRequestProblem extends FlowForgeError {
  constructor(code: string, detail: string, fieldErrors?: { field: string; message: string }[]) {
    super(code, 400, 'Bad request', detail, fieldErrors);
  }
}

/** 429 with the seconds to wait: too many failed logins for this login name. */
export class LockedProblem extends FlowForgeError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'FF_AUTH_LOCKED',
      429,
      'Too many failed logins',
      `too many failed logins: try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s), or ask an admin to unlock the account`,
    );
    this.headers = { 'Retry-After': String(Math.ceil(retryAfterSeconds)) };
  }
}

/** The generic answer to a failed login: the same for an unknown user, a wrong password and a disabled account. */
export const invalidCredentials = (): UnauthenticatedProblem => new UnauthenticatedProblem('FF_AUTH_INVALID_CREDENTIALS', 'the user name or password is wrong');
