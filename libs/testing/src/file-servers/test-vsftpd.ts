import fs from 'node:fs';
import path from 'node:path';
import { createTestUser, execFileAsync, findBinary, freePort, freePortRange, startDaemon, tempDir, writeOwned } from './system-daemon';

export interface TestVsftpd {
  host: string;
  port: number;
  user: string;
  password: string;
  /** 'explicit' (AUTH TLS on the plain port), 'implicit' (TLS from the first byte) or false. */
  secure: false | 'explicit' | 'implicit';
  /** The self-signed certificate (PEM) of a TLS server: the CA a client must trust. */
  certificate: string | null;
  /** The user's login directory on disk. */
  root: string;
  writeFile(rel: string, data: string | Buffer): string;
  log(): string;
  stop(): Promise<void>;
}

export const VSFTPD_BINARIES = ['vsftpd', 'openssl', 'useradd', 'chpasswd'];

/**
 * A real vsftpd on 127.0.0.1 and a free port (listen=YES, background=NO: it stays in the foreground as
 * this process's child), passive mode on a range of free loopback ports, local users only, writes
 * allowed; with `secure`, TLS with a self-signed certificate made by openssl for 127.0.0.1, required for
 * login and data (FTPS explicit or implicit).
 *
 * The login is a system user created for this server (vsftpd authenticates through PAM, whose
 * pam_shells module wants a shell listed in /etc/shells: /bin/sh; vsftpd still only speaks FTP to it).
 * vsftpd starts as root and drops to that user for the session.
 */
export async function startVsftpd(opts: { secure?: false | 'explicit' | 'implicit' } = {}): Promise<TestVsftpd> {
  const vsftpd = findBinary('vsftpd');
  if (!vsftpd) throw new Error('vsftpd is not installed (apt-get install vsftpd)');
  const secure = opts.secure ?? false;
  const dir = tempDir('ff-vsftpd-');
  const root = path.join(dir, 'home');
  fs.mkdirSync(root);
  fs.mkdirSync(path.join(dir, 'empty'));
  const user = await createTestUser('ftp', root, '/bin/sh');
  try {
    fs.chownSync(root, user.uid, user.gid);
    const port = await freePort();
    const [pasvMin, pasvMax] = await freePortRange(10);
    let certificate: string | null = null;
    const tls: string[] = [];
    if (secure) {
      const cert = path.join(dir, 'cert.pem');
      const key = path.join(dir, 'key.pem');
      await execFileAsync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ]);
      fs.chmodSync(key, 0o600);
      certificate = fs.readFileSync(cert, 'utf8');
      tls.push(
        'ssl_enable=YES',
        `rsa_cert_file=${cert}`,
        `rsa_private_key_file=${key}`,
        'force_local_logins_ssl=YES',
        'force_local_data_ssl=YES',
        'ssl_tlsv1=YES',
        'ssl_sslv2=NO',
        'ssl_sslv3=NO',
        // Clients (basic-ftp among them) do not always resume the control connection's TLS session on data connections.
        'require_ssl_reuse=NO',
        'ssl_ciphers=HIGH',
        `implicit_ssl=${secure === 'implicit' ? 'YES' : 'NO'}`,
      );
    }
    const config = [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      'anonymous_enable=NO',
      'local_enable=YES',
      'write_enable=YES',
      'local_umask=022',
      'pasv_enable=YES',
      'port_enable=NO',
      `pasv_min_port=${pasvMin}`,
      `pasv_max_port=${pasvMax}`,
      'pasv_address=127.0.0.1',
      `secure_chroot_dir=${path.join(dir, 'empty')}`,
      'userlist_enable=NO',
      'chroot_local_user=NO',
      'use_localtime=NO',
      // The sandbox kills sessions on syscalls newer kernels/glibc make (e.g. in PAM); the test server does without.
      'seccomp_sandbox=NO',
      'xferlog_enable=NO',
      // vsftpd waits 1 s after a refused login by default; the tests try wrong passwords on purpose.
      'delay_failed_login=0',
      `vsftpd_log_file=${path.join(dir, 'vsftpd.log')}`,
      'pam_service_name=vsftpd',
      ...tls,
      '',
    ].join('\n');
    const configFile = path.join(dir, 'vsftpd.conf');
    fs.writeFileSync(configFile, config, { mode: 0o600 });
    const daemon = await startDaemon(vsftpd, [configFile], port, 'vsftpd');
    return {
      host: '127.0.0.1',
      port,
      user: user.name,
      password: user.password,
      secure,
      certificate,
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
