import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LocalConfig } from '../connection-types';
import { checkLocalPath, type LocalPathPolicy } from '@flowforge/connectors';
import { failed, succeeded, type ProbeOutcome } from './probe-outcome';

/**
 * The directory lies in the allowed roots (judged again now: roots, symlinks and the folder itself may
 * have changed since the connection was saved), exists, and a file can be created in it (a real write:
 * permission bits lie to root). The write goes to the resolved path that was judged.
 */
export async function probeLocal(c: LocalConfig, policy: LocalPathPolicy): Promise<ProbeOutcome> {
  const verdict = await checkLocalPath(c.path, policy);
  if (!verdict.ok) return failed('FF_CONN_FORBIDDEN_PATH', `directory ${c.path} may not be used: ${verdict.reason}`);
  const dir = verdict.realPath;
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failed('FF_CONN_NOT_FOUND', `directory ${c.path} does not exist`);
    if (code === 'EACCES') return failed('FF_CONN_NOT_WRITABLE', `directory ${c.path} cannot be reached by the FlowForge process (permission denied)`);
    return failed('FF_CONN_FAILED', `directory ${c.path}: ${(err as Error).message}`);
  }
  if (!stat.isDirectory()) return failed('FF_CONN_NOT_A_DIRECTORY', `${c.path} exists but is not a directory`);
  const probe = path.join(dir, `.flowforge-probe-${randomBytes(6).toString('hex')}`);
  try {
    await fs.writeFile(probe, 'probe', { flag: 'wx' });
  } catch (err) {
    return failed('FF_CONN_NOT_WRITABLE', `directory ${c.path} is not writable by the FlowForge process (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
  return succeeded(`directory ${c.path} exists and is writable`);
}
