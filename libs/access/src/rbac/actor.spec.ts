import { actorFromHeaders, actorHeaders, principalName, type Actor } from './actor';

const actor = (over: Partial<Actor>): Actor => ({ type: 'user', id: 'u-1', name: 'alice', userId: 'u-1', sessionId: null, ip: null, userAgent: null, ...over });

describe('principalName', () => {
  it('names a user by name, an API token as token:<name (owner)>, a service by its name', () => {
    expect(principalName(actor({}))).toBe('alice');
    expect(principalName(actor({ type: 'token', id: 't-1', name: 'ci-deploy (alice)' }))).toBe('token:ci-deploy (alice)');
    expect(principalName(actor({ type: 'system', id: 'scheduler', name: 'scheduler' }))).toBe('scheduler');
    expect(principalName(actor({ type: 'anonymous', id: 'anonymous', name: 'anonymous' }))).toBe('anonymous');
  });

  it('survives the trip through the forwarded headers (names with spaces, non-Latin-1 letters)', () => {
    const token = actor({ type: 'token', id: 't-2', name: 'nächtlicher Lauf (zoë)' });
    expect(principalName(actorFromHeaders(actorHeaders(token)))).toBe('token:nächtlicher Lauf (zoë)');
    // No actor headers (a peer's own call): anonymous, never someone.
    expect(principalName(actorFromHeaders({}))).toBe('anonymous');
    // A forged type is not trusted as one.
    expect(principalName(actorFromHeaders({ 'x-flowforge-actor-type': 'root', 'x-flowforge-actor-name': 'alice' }))).toBe('anonymous');
  });
});
