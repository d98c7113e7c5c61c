import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, ForbiddenError } from './auth.guard';
import type { AccessState } from './access-state';
import type { AuditRecorder } from './audit.recorder';
import type { TokenVerifier } from './token-verifier';

class Undeclared {
  handler(): void {}
}

function context(url: string): ExecutionContext {
  const req = { url, method: 'GET', headers: {}, socket: { remoteAddress: '127.0.0.1' } };
  return {
    getType: () => 'http',
    getHandler: () => Undeclared.prototype.handler,
    getClass: () => Undeclared,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}), getNext: () => undefined }),
  } as unknown as ExecutionContext;
}

/** A route that declares no access: outside /api it is not the guard's business; under /api it is refused (fail closed). */
describe('AuthGuard on routes without an access declaration', () => {
  const guard = new AuthGuard(new Reflector(), {} as TokenVerifier, {} as AccessState, {} as AuditRecorder);

  it.each(['/health/live', '/metrics', '/internal/catalog/assets'])('lets %s through to its own guards', async (url) => {
    await expect(guard.canActivate(context(url))).resolves.toBe(true);
  });

  it.each(['/api/v1/something-new', '/API/v1/something-new', '/api'])('refuses %s', async (url) => {
    await expect(guard.canActivate(context(url))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
