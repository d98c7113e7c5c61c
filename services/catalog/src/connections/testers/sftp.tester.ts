import { Client, type ConnectConfig, type SFTPWrapper, type Stats } from 'ssh2';
import type { SftpConfig } from '../connection-types';
import type { ResolvedTarget } from './network-guard';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

/** Without a configured `path` the probe lists the login directory of the user (what the sftp location's root is then). */
const LOGIN_DIR = '.';

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) an `ssh2` SFTP error carries as `code`. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

class SftpStepError extends Error {
  constructor(
    readonly step: 'subsystem' | 'realpath' | 'stat' | 'readdir',
    readonly failure: unknown,
  ) {
    super(`${step}: ${failure instanceof Error ? failure.message : String(failure)}`);
    this.name = 'SftpStepError';
  }
}

const step = <T>(name: SftpStepError['step'], run: (cb: (err: Error | undefined | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((err, value) => (err ? reject(new SftpStepError(name, err)) : resolve(value))));

/**
 * SSH handshake + authentication, the SFTP subsystem, then `realpath`, `stat` and `readdir` of the login
 * directory: proves the server answers, accepts the credentials and serves files to this user. The
 * host passes the outbound address guard first and the socket goes to the address it checked.
 */
export function probeSftp(c: SftpConfig): Promise<ProbeOutcome> {
  return probeGuarded(c.host, c.allowPrivateNetworks, 'SFTP server', `${c.host}:${c.port}`, (target) => loginAndList(c, target));
}

async function loginAndList(c: SftpConfig, target: ResolvedTarget): Promise<ProbeOutcome> {
  const where = `${c.host}:${c.port}`;
  const client = new Client();
  client.on('error', () => undefined); // a late socket error after end() must not crash the process
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      await connect(client, {
        host: target.address,
        port: c.port,
        username: c.user,
        password: c.password,
        privateKey: c.privateKey,
        passphrase: c.passphrase,
        readyTimeout: PROBE_TIMEOUT_MS,
        tryKeyboard: false,
        // The config carries no host key to pin; the probe checks reachability and credentials only.
      });
      const sftp = await step<SFTPWrapper>('subsystem', (cb) => client.sftp(cb));
      const dir = await step<string>('realpath', (cb) => sftp.realpath(c.path || LOGIN_DIR, cb));
      const stats = await step<Stats>('stat', (cb) => sftp.stat(dir, cb));
      if (!stats.isDirectory()) return failed('FF_CONN_NOT_A_DIRECTORY', `SFTP server at ${where}: ${dir} exists but is not a directory`);
      const entries = await step<unknown[]>('readdir', (cb) => sftp.readdir(dir, cb));
      sftp.end();
      return succeeded(
        `connected to SFTP server at ${where} as "${c.user}"; directory ${dir} lists ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`,
      );
    })();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('probe timed out'), { code: 'ETIMEDOUT' })), PROBE_TIMEOUT_MS * 2);
    });
    return await Promise.race([work, deadline]);
  } catch (err) {
    return describeSftpError(err, c);
  } finally {
    clearTimeout(timer);
    client.end();
  }
}

function connect(client: Client, config: ConnectConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      client.off('ready', onReady);
      reject(err);
    };
    const onReady = () => {
      client.off('error', onError);
      resolve();
    };
    client.once('ready', onReady);
    client.once('error', onError);
    try {
      client.connect(config); // throws synchronously on an unparsable privateKey
    } catch (err) {
      client.off('ready', onReady);
      client.off('error', onError);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function describeSftpError(err: unknown, c: SftpConfig): ProbeOutcome {
  const where = `${c.host}:${c.port}`;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SftpStepError) {
    const code = (err.failure as { code?: unknown }).code;
    const folder = c.path ? `the folder "${c.path}"` : 'the login directory';
    const what = err.step === 'realpath' ? (c.path ? folder : `the login directory of user "${c.user}"`) : `${folder} (${err.step})`;
    if (err.step === 'subsystem')
      return failed('FF_CONN_FAILED', `SSH server at ${where} accepted user "${c.user}" but refused the SFTP subsystem (is SFTP enabled?)`);
    if (code === SFTP_NO_SUCH_FILE) return failed('FF_CONN_NOT_FOUND', `SFTP server at ${where}: ${what} does not exist (path missing)`);
    if (code === SFTP_PERMISSION_DENIED) return failed('FF_CONN_AUTH', `SFTP server at ${where}: user "${c.user}" may not read ${what} (permission denied)`);
    return failed('FF_CONN_FAILED', `SFTP server at ${where}: ${what} failed: ${err.failure instanceof Error ? err.failure.message : String(err.failure)}`);
  }
  const level = (err as { level?: unknown }).level;
  if (level === 'client-authentication') {
    const methods = [c.password !== undefined ? 'password' : '', c.privateKey !== undefined ? 'private key' : ''].filter(Boolean).join(' and ');
    return failed(
      'FF_CONN_AUTH',
      `SFTP server at ${where}: authentication failed for user "${c.user}" (the ${methods} ${methods.includes(' and ') ? 'were' : 'was'} refused)`,
    );
  }
  if (/^Cannot parse privateKey/.test(message)) {
    return failed(
      'FF_CONN_AUTH',
      `SFTP connection to ${where}: the private key cannot be used (${/passphrase/i.test(message) ? 'missing or wrong passphrase' : 'not a PEM or OpenSSH private key'})`,
    );
  }
  if (level === 'client-timeout') return failed('FF_CONN_TIMEOUT', `SFTP server at ${where} did not complete the SSH handshake within ${PROBE_TIMEOUT_MS} ms`);
  return describeNetworkError(err, 'SFTP server', where) ?? failed('FF_CONN_FAILED', `SFTP server at ${where}: ${message}`);
}
