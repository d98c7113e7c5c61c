import { CliFailure } from '../cli.errors';
import type { CliIo } from '../cli.io';

/** The server refuses longer passwords (argon2 input is bounded); reading stops well past that. */
const MAX_SECRET_BYTES = 8192;

/**
 * Everything on stdin for `--password-stdin` (login: the password; passwd: two lines), refusing more
 * than a few passwords' worth so a wrong pipe fails at once instead of being sent.
 */
export async function readStdinSecret(io: CliIo, command: string): Promise<string> {
  if (!io.stdin) throw new CliFailure(`cannot read stdin here; run flowforge ${command} on a terminal instead`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_SECRET_BYTES) throw new CliFailure(`stdin holds more than ${MAX_SECRET_BYTES} bytes: that is not a password`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
