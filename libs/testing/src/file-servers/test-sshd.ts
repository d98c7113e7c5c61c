import fs from 'node:fs';
import path from 'node:path';
import { createTestUser, execFileAsync, findBinary, freePort, startDaemon, tempDir, writeOwned } from './system-daemon';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  password: string;
  /** An ed25519 key pair whose public half is authorized for `user`; the private key is in OpenSSH format. */
  privateKey: string;
  publicKey: string;
  /** The user's login directory on disk: the SFTP session starts there. */
  root: string;
  /** Writes a file under root (folders created), owned by the test user. */
  writeFile(rel: string, data: string | Buffer): string;
  /** What sshd logged (-e: to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** The binaries startSshd needs (for requireServerBinaries). */
export const SSHD_BINARIES = ['sshd', 'ssh-keygen', 'useradd', 'chpasswd'];

/**
 * A real OpenSSH server on 127.0.0.1 and a free port, serving SFTP only (internal-sftp, forced), with
 * its own host key, config and data under a temporary folder.
 *
 * The login is a system user created for this server (createTestUser), not root: sshd then drops to that
 * user for the session as it would in production, so file permissions act as they do there. A ChrootDirectory
 * does not work here: sshd demands every component of the chroot path be root-owned and not writable by
 * others, and the temp folder lies under /tmp (1777). The session's login directory is `root` instead.
 * Password and public-key authentication are both on; PAM is off (the password is checked against
 * /etc/shadow), and only this user may log in.
 */
export async function startSshd(opts: { keyPassphrase?: string } = {}): Promise<TestSshd> {
  const sshd = findBinary('sshd');
  if (!sshd) throw new Error('sshd is not installed (apt-get install openssh-server)');
  const dir = tempDir('ff-sshd-');
  const root = path.join(dir, 'home');
  fs.mkdirSync(root);
  const user = await createTestUser('sftp', root);
  let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
  try {
    fs.chownSync(root, user.uid, user.gid);
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'flowforge-test-host', '-f', path.join(dir, 'host_key')]);
    await execFileAsync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      opts.keyPassphrase ?? '',
      '-C',
      'flowforge-test-client',
      '-f',
      path.join(dir, 'client_key'),
    ]);
    const publicKey = fs.readFileSync(path.join(dir, 'client_key.pub'), 'utf8');
    const privateKey = fs.readFileSync(path.join(dir, 'client_key'), 'utf8');
    fs.writeFileSync(path.join(dir, 'authorized_keys'), publicKey, { mode: 0o644 });
    // sshd's privilege separation folder is compiled in; a machine that never started the service lacks it.
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    const config = [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${path.join(dir, 'host_key')}`,
      'PidFile none',
      'UsePAM no',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      // The key file lies in a root-owned temp folder, not the user's home: StrictModes would look at the home.
      'StrictModes no',
      `AllowUsers ${user.name}`,
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel INFO',
      '',
    ].join('\n');
    const configFile = path.join(dir, 'sshd_config');
    fs.writeFileSync(configFile, config, { mode: 0o600 });
    daemon = await startDaemon(sshd, ['-D', '-e', '-f', configFile], port, 'sshd');
    const d = daemon;
    return {
      host: '127.0.0.1',
      port,
      user: user.name,
      password: user.password,
      privateKey,
      publicKey,
      root,
      writeFile: (rel, data) => writeOwned(root, rel, data, user),
      log: () => d.output(),
      stop: async () => {
        await d.stop();
        await user.remove().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await daemon?.stop();
    await user.remove().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
