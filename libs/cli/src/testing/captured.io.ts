import os from 'node:os';
import path from 'node:path';
import type { CliIo, OutputStream } from '../cli.io';

/**
 * Where a captured run looks for stored credentials unless the test says otherwise: a directory that
 * nothing creates, so a developer's own ~/.flowforge sign-in never leaks into a test.
 */
export const NO_CREDENTIALS_DIR = path.join(os.tmpdir(), `ff-cli-no-credentials-${process.pid}`);

/** An output stream that keeps what was written (tests). */
export class CapturedStream implements OutputStream {
  text = '';

  constructor(
    readonly isTTY = false,
    readonly columns?: number,
    readonly rows?: number,
  ) {}

  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

export interface CapturedIo extends CliIo {
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/**
 * The CLI's io for an in-process run: captured streams, an environment of its own (credentials looked
 * for in NO_CREDENTIALS_DIR unless FLOWFORGE_CONFIG_DIR is given), no stdin, no terminal to ask on.
 */
export function capturedIo(env: Record<string, string | undefined> = {}, extra: Partial<CliIo> = {}): CapturedIo {
  return {
    stdout: new CapturedStream(),
    stderr: new CapturedStream(),
    env: { FLOWFORGE_CONFIG_DIR: NO_CREDENTIALS_DIR, ...env },
    cwd: process.cwd(),
    ...extra,
  } as CapturedIo;
}
