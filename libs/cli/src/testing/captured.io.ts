import type { CliIo, OutputStream } from '../cli.io';

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

/** The CLI's io for an in-process run: captured streams, an environment of its own, no stdin. */
export function capturedIo(env: Record<string, string | undefined> = {}, extra: Partial<CliIo> = {}): CapturedIo {
  return { stdout: new CapturedStream(), stderr: new CapturedStream(), env, cwd: process.cwd(), ...extra } as CapturedIo;
}
