import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createTestUser, findBinary, freePort, startDaemon, tempDir, writeOwned } from './system-daemon';

export interface TestSamba {
  host: string;
  port: number;
  share: string;
  /** The workgroup (domain) of the standalone server. */
  domain: string;
  user: string;
  password: string;
  /** The share's folder on disk. */
  root: string;
  writeFile(rel: string, data: string | Buffer): string;
  log(): string;
  stop(): Promise<void>;
}

export const SAMBA_BINARIES = ['smbd', 'smbpasswd', 'smbclient', 'useradd', 'chpasswd'];

/**
 * A real Samba (smbd -F --no-process-group -s <smb.conf>) on 127.0.0.1 and a free port (`smb ports`),
 * a standalone server with its own private, lock, state, cache and pid folders under a temporary
 * folder, one share `data`, and one user added to its own passdb with `smbpasswd -c <conf>`. Samba
 * needs a Unix account behind an SMB user: a system user created for this server (createTestUser), to
 * which smbd drops for each session. SMB2 and newer only, NTLMv2 only (Samba's defaults); no NetBIOS.
 */
export async function startSamba(): Promise<TestSamba> {
  const smbd = findBinary('smbd');
  const smbpasswd = findBinary('smbpasswd');
  if (!smbd || !smbpasswd) throw new Error('smbd/smbpasswd are not installed (apt-get install samba)');
  const dir = tempDir('ff-samba-');
  const root = path.join(dir, 'share');
  fs.mkdirSync(root);
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc']) fs.mkdirSync(path.join(dir, d));
  fs.chmodSync(path.join(dir, 'private'), 0o700);
  const user = await createTestUser('smb', root);
  try {
    fs.chownSync(root, user.uid, user.gid);
    const port = await freePort();
    const config = [
      '[global]',
      'server role = standalone server',
      'workgroup = WORKGROUP',
      'netbios name = FFTEST',
      'interfaces = 127.0.0.1',
      'bind interfaces only = yes',
      `smb ports = ${port}`,
      'disable netbios = yes',
      `private dir = ${path.join(dir, 'private')}`,
      `lock directory = ${path.join(dir, 'lock')}`,
      `state directory = ${path.join(dir, 'state')}`,
      `cache directory = ${path.join(dir, 'cache')}`,
      `pid directory = ${path.join(dir, 'pid')}`,
      `ncalrpc dir = ${path.join(dir, 'ncalrpc')}`,
      `log file = ${path.join(dir, 'log.%m')}`,
      'log level = 1',
      `passdb backend = tdbsam:${path.join(dir, 'private', 'passdb.tdb')}`,
      'map to guest = never',
      'server min protocol = SMB2_02',
      'load printers = no',
      'printing = bsd',
      'printcap name = /dev/null',
      'disable spoolss = yes',
      '',
      '[data]',
      `path = ${root}`,
      'read only = no',
      `valid users = ${user.name}`,
      'create mask = 0644',
      'directory mask = 0755',
      '',
    ].join('\n');
    const configFile = path.join(dir, 'smb.conf');
    fs.writeFileSync(configFile, config);
    await addSambaUser(smbpasswd, configFile, user.name, user.password);
    const daemon = await startDaemon(smbd, ['-F', '--no-process-group', '--debug-stdout', '-s', configFile], port, 'smbd');
    return {
      host: '127.0.0.1',
      port,
      share: 'data',
      domain: 'WORKGROUP',
      user: user.name,
      password: user.password,
      root,
      writeFile: (rel, data) => writeOwned(root, rel, data, user),
      log: () => daemon.output(),
      stop: async () => {
        await daemon.stop();
        await user.remove().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await user.remove().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `smbpasswd -s` reads the new password twice from stdin (never on the command line). */
async function addSambaUser(smbpasswd: string, configFile: string, name: string, password: string): Promise<void> {
  const child = spawn(smbpasswd, ['-c', configFile, '-s', '-a', name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(`${password}\n${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`smbpasswd -a ${name} failed: ${out.trim()}`);
}
