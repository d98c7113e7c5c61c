import { text } from 'node:stream/consumers';
import { requireServerBinaries, SSHD_BINARIES, startSshd, type TestSshd } from '@flowforge/testing';
import { openLocation } from './location.factory';
import { localPathPolicy } from './local-path.policy';
import { remoteLocationContract } from './remote-location.contract';
import { SftpLocation } from './sftp.location';

const run = requireServerBinaries('SFTP location against OpenSSH sshd', SSHD_BINARIES);

(run ? describe : describe.skip)('SftpLocation against a real OpenSSH server', () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd({ keyPassphrase: 'key-Passphrase-1' });
  }, 60_000);
  afterAll(() => sshd?.stop());

  const config = (overrides: Record<string, unknown> = {}) => ({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    password: sshd.password,
    allowPrivateNetworks: true,
    ...overrides,
  });

  remoteLocationContract('sftp', () => ({
    root: sshd.root,
    writeFile: (rel, data) => sshd.writeFile(rel, data),
    make: (overrides) => new SftpLocation(config(overrides)),
  }));

  it('logs in with a private key and its passphrase; a wrong passphrase is FF_LOCATION_AUTH', async () => {
    sshd.writeFile('keyed/k.csv', 'k\n');
    const ctx = { localPolicy: localPathPolicy({ home: '/nonexistent', lakeDir: null, roots: '/nonexistent' }) };
    const keyed = openLocation('sftp', config({ password: undefined, privateKey: sshd.privateKey, passphrase: 'key-Passphrase-1' }), ctx);
    try {
      expect(keyed.type).toBe('sftp');
      expect(await text(await keyed.open('keyed/k.csv'))).toBe('k\n');
    } finally {
      await keyed.close();
    }
    const wrong = new SftpLocation(config({ password: undefined, privateKey: sshd.privateKey, passphrase: 'nope' }));
    await expect(wrong.test()).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
    await wrong.close();
  });

  it('closes its SSH session on close(): later calls are refused, the server sees the disconnect', async () => {
    const loc = new SftpLocation(config());
    await loc.test();
    await loc.close();
    await expect(loc.list('')).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED' });
    // sshd logs the disconnect once it has read it: poll its log (bounded) rather than sleep.
    for (let i = 0; i < 100 && !/Received disconnect/.test(sshd.log()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(sshd.log()).toMatch(/Received disconnect/);
  });
});
