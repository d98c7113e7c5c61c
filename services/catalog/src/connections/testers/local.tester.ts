import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LocalConfig } from '../connection-types';
import { failed, succeeded, type ProbeOutcome } from './probe-outcome';

/** The directory exists and a file can be created in it (a real write: permission bits lie to root). */
export async function probeLocal(c: LocalConfig): Promise<ProbeOutcome> {
  let stat;
  try {
    stat = await fs.stat(c.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failed('FF_CONN_NOT_FOUND', `directory ${c.path} does not exist`);
    if (code === 'EACCES') return failed('FF_CONN_NOT_WRITABLE', `directory ${c.path} cannot be reached by the FlowForge process (permission denied)`);
    return failed('FF_CONN_FAILED', `directory ${c.path}: ${(err as Error).message}`);
  }
  if (!stat.isDirectory()) return failed('FF_CONN_NOT_A_DIRECTORY', `${c.path} exists but is not a directory`);
  const probe = path.join(c.path, `.flowforge-probe-${randomBytes(6).toString('hex')}`);
  try {
    await fs.writeFile(probe, 'probe', { flag: 'wx' });
  } catch (err) {
    return failed('FF_CONN_NOT_WRITABLE', `directory ${c.path} is not writable by the FlowForge process (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
  return succeeded(`directory ${c.path} exists and is writable`);
}
