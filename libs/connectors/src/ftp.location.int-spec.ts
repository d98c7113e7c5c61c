import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { requireServerBinaries, startVsftpd, VSFTPD_BINARIES, type TestVsftpd } from '@flowforge/testing';
import { FtpLocation } from './ftp.location';
import { remoteLocationContract } from './remote-location.contract';

const run = requireServerBinaries('FTP/FTPS location against vsftpd', VSFTPD_BINARIES);

const configOf = (ftp: TestVsftpd, overrides: Record<string, unknown> = {}) => ({
  host: ftp.host,
  port: ftp.port,
  user: ftp.user,
  password: ftp.password,
  secure: ftp.secure,
  ...(ftp.certificate ? { caCertificate: ftp.certificate } : {}),
  allowPrivateNetworks: true,
  ...overrides,
});

(run ? describe : describe.skip)('FtpLocation against a real vsftpd (plain FTP)', () => {
  let ftp: TestVsftpd;
  beforeAll(async () => {
    ftp = await startVsftpd();
  }, 60_000);
  afterAll(() => ftp?.stop());

  remoteLocationContract('ftp', () => ({
    root: ftp.root,
    writeFile: (rel, data) => ftp.writeFile(rel, data),
    make: (overrides) => new FtpLocation(configOf(ftp, overrides)),
  }));

  it('lists and reads while a stream is open (the stream has a connection of its own); close() ends both', async () => {
    ftp.writeFile('par/x.csv', 'x\n'.repeat(200_000));
    const loc = new FtpLocation(configOf(ftp));
    const stream = await loc.open('par/x.csv');
    // The stream is not read yet: the control connection must still answer.
    expect((await loc.list('par')).entries.map((e) => e.name)).toEqual(['x.csv']);
    expect((await text(stream)).length).toBe(400_000);
    await loc.close();
    await expect(loc.list('par')).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED' });
  });

  it('refuses TLS against a server that does not offer it (explicit FTPS on a plain server)', async () => {
    const loc = new FtpLocation(configOf(ftp, { secure: 'explicit' }));
    await expect(loc.test()).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE' });
    await loc.close();
  });
});

for (const secure of ['explicit', 'implicit'] as const) {
  (run ? describe : describe.skip)(`FtpLocation against a real vsftpd (FTPS ${secure})`, () => {
    let ftp: TestVsftpd;
    beforeAll(async () => {
      ftp = await startVsftpd({ secure });
    }, 60_000);
    afterAll(() => ftp?.stop());

    it(`reads, lists, archives and writes over TLS (control and data), trusting the server's certificate`, async () => {
      ftp.writeFile('in/a.csv', 'x\n1\n');
      const loc = new FtpLocation(configOf(ftp));
      try {
        await loc.test();
        expect((await loc.list('in')).entries.map((e) => [e.name, e.size])).toEqual([['a.csv', 4]]);
        expect(await text(await loc.open('in/a.csv'))).toBe('x\n1\n');
        await loc.archive('in/a.csv', 'done/a.csv', { move: false });
        expect(await text(await loc.open('done/a.csv'))).toBe('x\n1\n');
        expect(await loc.write('out/w.csv', Readable.from(['w\n']))).toEqual({ bytes: 2 });
        expect(await text(await loc.open('out/w.csv'))).toBe('w\n');
      } finally {
        await loc.close();
      }
    });

    it('refuses a certificate it does not trust (FF_LOCATION_UNREACHABLE), and a wrong password over TLS is FF_LOCATION_AUTH', async () => {
      const untrusted = new FtpLocation(configOf(ftp, { caCertificate: undefined }));
      await expect(untrusted.test()).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE' });
      await untrusted.close();
      const wrong = new FtpLocation(configOf(ftp, { password: 'Wrong-Pass-123' }));
      await expect(wrong.test()).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
      await wrong.close();
    });

    if (secure === 'explicit') {
      it('a plain FTP login to a server that requires TLS is refused (FF_LOCATION_AUTH: the server refuses the login)', async () => {
        const plain = new FtpLocation(configOf(ftp, { secure: false }));
        await expect(plain.test()).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
        await plain.close();
      });
    }
  });
}
