import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server, utils, type Connection, type ParsedKey, type SFTPWrapper } from 'ssh2';

const { OK, EOF, NO_SUCH_FILE, FAILURE } = utils.sftp.STATUS_CODE;

export interface SftpUser {
  password?: string;
  /** PEM private key of the client: the server accepts its public half. */
  privateKey?: string;
  /** Directory on disk served as "/" to this user; it may not exist (the login directory is missing). */
  home: string;
}

export interface SftpServerHandle {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** An RSA key as PKCS#1 PEM, which ssh2 parses for both host and client keys. */
export function generateRsaPem(passphrase?: string): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: passphrase ? { type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase } : { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return privateKey;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function parsed(pem: string, passphrase?: string): ParsedKey {
  const k = utils.parseKey(pem, passphrase);
  if (k instanceof Error) throw k;
  return k;
}

/**
 * A real SSH server with a minimal read-only SFTP subsystem (REALPATH, STAT, LSTAT, OPENDIR, READDIR, OPEN,
 * CLOSE) over a directory per user, on 127.0.0.1 and an ephemeral port.
 */
export async function startSftpServer(users: Record<string, SftpUser>, passphrases: Record<string, string> = {}): Promise<SftpServerHandle> {
  const publicKeys = new Map<string, ParsedKey>();
  for (const [name, u] of Object.entries(users)) if (u.privateKey) publicKeys.set(name, parsed(u.privateKey, passphrases[name]));
  const clients = new Set<Connection>();

  const server = new Server({ hostKeys: [generateRsaPem()] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    let user: SftpUser | undefined;
    client.on('authentication', (ctx) => {
      const u = users[ctx.username];
      if (u && ctx.method === 'password' && u.password !== undefined && same(ctx.password, u.password)) {
        user = u;
        return ctx.accept();
      }
      const key = publicKeys.get(ctx.username);
      if (u && key && ctx.method === 'publickey' && ctx.key.algo === key.type && ctx.key.data.equals(key.getPublicSSH())) {
        if (!ctx.signature) return ctx.accept(); // the client asks whether the key would do
        if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) {
          user = u;
          return ctx.accept();
        }
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), user!.home));
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveSftp(sftp: SFTPWrapper, home: string): void {
  /** Virtual absolute path ("/" is the home directory) of a client path. */
  const virtual = (p: string) => path.posix.resolve('/', p === '' || p === '.' ? '/' : p);
  const onDisk = (p: string) => path.join(home, virtual(p));
  const handles = new Map<number, { dir?: string; listed?: boolean }>();
  let next = 0;
  const handle = (entry: { dir?: string }) => {
    const id = next++;
    handles.set(id, entry);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return b;
  };
  const attrsOf = (s: fs.Stats) => ({
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    atime: Math.floor(s.atimeMs / 1000),
    mtime: Math.floor(s.mtimeMs / 1000),
  });
  const stat = (reqId: number, p: string) => {
    fs.stat(onDisk(p), (err, s) => (err ? sftp.status(reqId, err.code === 'ENOENT' ? NO_SUCH_FILE : FAILURE) : sftp.attrs(reqId, attrsOf(s))));
  };

  sftp.on('REALPATH', (reqId, p) => {
    const v = virtual(p);
    if (!fs.existsSync(onDisk(v))) return sftp.status(reqId, NO_SUCH_FILE);
    sftp.name(reqId, [{ filename: v, longname: v, attrs: {} as never }]);
  });
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('OPENDIR', (reqId, p) => {
    const dir = onDisk(p);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return sftp.status(reqId, NO_SUCH_FILE);
    sftp.handle(reqId, handle({ dir }));
  });
  sftp.on('READDIR', (reqId, h) => {
    const entry = handles.get(h.readUInt32BE(0));
    if (!entry?.dir) return sftp.status(reqId, FAILURE);
    if (entry.listed) return sftp.status(reqId, EOF);
    entry.listed = true;
    const names = fs.readdirSync(entry.dir).map((name) => {
      const s = fs.statSync(path.join(entry.dir!, name));
      return { filename: name, longname: name, attrs: attrsOf(s) };
    });
    if (names.length === 0) return sftp.status(reqId, EOF);
    sftp.name(reqId, names);
  });
  sftp.on('OPEN', (reqId, p) => {
    if (!fs.existsSync(onDisk(p))) return sftp.status(reqId, NO_SUCH_FILE);
    sftp.handle(reqId, handle({}));
  });
  sftp.on('CLOSE', (reqId, h) => {
    handles.delete(h.readUInt32BE(0));
    sftp.status(reqId, OK);
  });
}
