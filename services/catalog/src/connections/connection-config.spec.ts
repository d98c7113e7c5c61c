import { applyConfigPatch, joinSecrets, renderWithPlaceholders, scrubSecrets, splitSecrets } from './connection-config';

describe('connection config secrets', () => {
  const kafkaSecrets = ['sasl.password'];

  it('splits secret fields out (nested ones too) and joins them back', () => {
    const full = { brokers: ['k:9092'], sasl: { mechanism: 'plain', username: 'u', password: 'p@ss' } };
    const { plain, secrets } = splitSecrets(full, kafkaSecrets);
    expect(plain).toEqual({ brokers: ['k:9092'], sasl: { mechanism: 'plain', username: 'u' } });
    expect(secrets).toEqual({ 'sasl.password': 'p@ss' });
    expect(joinSecrets(plain, secrets)).toEqual(full);
    expect(full.sasl.password).toBe('p@ss'); // inputs are not mutated
  });

  it('renders { set } placeholders, nested ones only where their block exists', () => {
    expect(renderWithPlaceholders({ host: 'h' }, ['password'], new Set(['password']))).toEqual({ host: 'h', password: { set: true } });
    expect(renderWithPlaceholders({ host: 'h' }, ['password'], new Set())).toEqual({ host: 'h', password: { set: false } });
    expect(renderWithPlaceholders({ brokers: [] }, kafkaSecrets, new Set())).toEqual({ brokers: [] });
    expect(renderWithPlaceholders({ sasl: { username: 'u' } }, kafkaSecrets, new Set(['sasl.password']))).toEqual({
      sasl: { username: 'u', password: { set: true } },
    });
  });

  it('merge-patches: null removes, objects merge, secrets are replaced whole, placeholders keep or clear', () => {
    const stored = { host: 'h', port: 1, password: 'old', headers: { a: '1', b: '2' }, nested: { x: 1, y: 2 } };
    const secretFields = ['password', 'headers'];
    expect(applyConfigPatch(stored, { port: 2, nested: { y: null, z: 3 } }, secretFields)).toEqual({ ...stored, port: 2, nested: { x: 1, z: 3 } });
    expect(applyConfigPatch(stored, { password: { set: true }, headers: { set: true } }, secretFields)).toEqual(stored);
    expect(applyConfigPatch(stored, { headers: { c: '3' } }, secretFields).headers).toEqual({ c: '3' });
    expect(applyConfigPatch(stored, { password: { set: false } }, secretFields)).not.toHaveProperty('password');
    expect(applyConfigPatch(stored, { password: null }, secretFields)).not.toHaveProperty('password');
    expect(applyConfigPatch(stored, { password: 'new' }, secretFields).password).toBe('new');
    // Creating is patching {}: a placeholder keeps nothing.
    expect(applyConfigPatch({}, { host: 'h', password: { set: true } }, secretFields)).toEqual({ host: 'h' });
  });

  it('scrubs every secret value (nested ones too) out of a message', () => {
    expect(scrubSecrets('auth failed for hunter2 with header Bearer-xyz', { password: 'hunter2', headers: { auth: 'Bearer-xyz' } })).toBe(
      'auth failed for [redacted] with header [redacted]',
    );
  });
});
