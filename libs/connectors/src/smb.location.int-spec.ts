import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { requireServerBinaries, SAMBA_BINARIES, startSamba, type TestSamba } from '@flowforge/testing';
import { remoteLocationContract } from './remote-location.contract';
import { SmbLocation } from './smb.location';

const run = requireServerBinaries('SMB location against Samba smbd (through smbclient)', SAMBA_BINARIES);

(run ? describe : describe.skip)('SmbLocation against a real Samba server', () => {
  let samba: TestSamba;
  beforeAll(async () => {
    samba = await startSamba();
  }, 60_000);
  afterAll(() => samba?.stop());

  const config = (overrides: Record<string, unknown> = {}) => ({
    host: samba.host,
    port: samba.port,
    share: samba.share,
    domain: samba.domain,
    user: samba.user,
    password: samba.password,
    allowPrivateNetworks: true,
    ...overrides,
  });

  remoteLocationContract('smb', () => ({
    root: samba.root,
    writeFile: (rel, data) => samba.writeFile(rel, data),
    make: (overrides) => new SmbLocation(config(overrides)),
  }));

  it('a missing share is FF_LOCATION_NOT_FOUND naming it', async () => {
    const loc = new SmbLocation(config({ share: 'nosuchshare' }));
    await expect(loc.test()).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND', message: expect.stringContaining('nosuchshare') });
  });

  it('refuses names SMB cannot hold (wildcards would also reach smbclient as patterns) before running anything', async () => {
    const loc = new SmbLocation(config({ port: 1 }));
    await expect(loc.stat('in/*.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.open('in/a".csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.delete('in/a?.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    const body = Readable.from(['a']);
    await expect(loc.write('out/a*.csv', body)).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    expect(body.destroyed).toBe(true);
  });

  it('writes a file whose path holds ";" (the upload goes under a partial name at the share top, then is renamed into place)', async () => {
    const loc = new SmbLocation(config());
    expect(await loc.write('semi;colon/a;b.csv', Readable.from(['s\n']))).toEqual({ bytes: 2 });
    expect(await text(await loc.open('semi;colon/a;b.csv'))).toBe('s\n');
    expect(fs.readdirSync(samba.root).filter((n) => n.includes('.ff-partial-'))).toEqual([]);
    expect(fs.readdirSync(path.join(samba.root, 'semi;colon'))).toEqual(['a;b.csv']);
    await loc.close();
  });

  it('without smbclient on PATH every call is FF_LOCATION_UNSUPPORTED naming the package', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(new SmbLocation(config()).test()).rejects.toMatchObject({
        code: 'FF_LOCATION_UNSUPPORTED',
        message: expect.stringContaining('install the smbclient package'),
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('the password stays out of the command line: smbclient gets it in its environment', async () => {
    const loc = new SmbLocation(config());
    const stream = await loc.open('big/big.bin');
    // While the transfer runs, no process of the machine shows the password in its arguments.
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).toContain('smbclient');
    expect(ps).not.toContain(samba.password);
    stream.destroy();
    await loc.close();
  });
});
