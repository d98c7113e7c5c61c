import { generateMasterKey, MasterKeyring } from './master-key';
import { SecretCipher } from './secret-cipher';

describe('SecretCipher (AES-256-GCM)', () => {
  const key = generateMasterKey();
  const cipher = new SecretCipher(new MasterKeyring(key));
  const context = 'connection/0b7f0e8e-1f0e-4a57-9d0f-5b1f3c9d2a11/password';

  it('round-trips a value and records the key id beside the ciphertext', () => {
    const sealed = cipher.seal('s3cr3t-ünïcødé', context);
    expect(sealed.keyId).toBe(key.id);
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(sealed.ciphertext.toString('utf8')).not.toContain('s3cr3t');
    expect(cipher.open(sealed, context)).toBe('s3cr3t-ünïcødé');
  });

  it('uses a fresh random IV for every value (same plaintext, different ciphertexts)', () => {
    const a = cipher.seal('same', context);
    const b = cipher.seal('same', context);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it.each([
    ['ciphertext', (s: ReturnType<SecretCipher['seal']>) => ({ ...s, ciphertext: flip(s.ciphertext) })],
    ['auth tag', (s: ReturnType<SecretCipher['seal']>) => ({ ...s, authTag: flip(s.authTag) })],
    ['IV', (s: ReturnType<SecretCipher['seal']>) => ({ ...s, iv: flip(s.iv) })],
  ])('refuses a tampered %s with FF_SECRET_TAMPERED naming the secret, not its value', (_what, tamper) => {
    const sealed = cipher.seal('do-not-leak', context);
    const err = catchError(() => cipher.open(tamper(sealed), context));
    expect(err).toMatchObject({ code: 'FF_SECRET_TAMPERED', status: 500 });
    expect(err.message).toContain(context);
    expect(err.message).not.toContain('do-not-leak');
  });

  it('refuses a ciphertext moved to another row or field (the context is authenticated)', () => {
    const sealed = cipher.seal('pw', context);
    expect(catchError(() => cipher.open(sealed, context.replace('password', 'token')))).toMatchObject({ code: 'FF_SECRET_TAMPERED' });
  });

  it('names the missing key when a value was sealed under a key this process does not hold', () => {
    const other = new SecretCipher(new MasterKeyring(generateMasterKey()));
    const sealed = other.seal('x', context);
    const err = catchError(() => cipher.open(sealed, context));
    expect(err).toMatchObject({ code: 'FF_SECRET_KEY_UNKNOWN' });
    expect(err.message).toContain(sealed.keyId);
    expect(err.message).toContain('FLOWFORGE_MASTER_KEY_PREVIOUS');
  });

  it('decrypts with a previous key and encrypts with the current one', () => {
    const old = generateMasterKey();
    const sealedOld = new SecretCipher(new MasterKeyring(old)).seal('v', context);
    const rotated = new SecretCipher(new MasterKeyring(key, [old]));
    expect(rotated.open(sealedOld, context)).toBe('v');
    expect(rotated.reseal(sealedOld, context).keyId).toBe(key.id);
  });
});

function flip(buf: Buffer): Buffer {
  const copy = Buffer.from(buf);
  copy[0] = copy[0]! ^ 0x01;
  return copy;
}

function catchError(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}
