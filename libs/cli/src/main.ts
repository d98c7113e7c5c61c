import fs from 'node:fs';
import path from 'node:path';
import { terminalPrompt } from './auth/terminal.prompt';
import { runCli } from './cli.program';

/** The repository's version: package.json above this file (sources or dist/). */
function packageVersion(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flowforge') return pkg.version;
    } catch {
      // no package.json here: keep climbing
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * `flowforge` (scripts/flowforge.js runs this after building). Ctrl+C stops a wait or a follow
 * cleanly (the terminal is restored, exit 130); a second Ctrl+C exits at once.
 */
async function main(): Promise<void> {
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    interrupt.abort(new Error('interrupted'));
    process.once('SIGINT', () => process.exit(130));
  });
  // A closed pipe (`flowforge runs | head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const code = await runCli(
    process.argv.slice(2),
    {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      // Only a terminal can be asked; elsewhere (CI, pipes) login says which flag to pass.
      prompt: process.stdin.isTTY ? terminalPrompt(process.stdin, process.stderr, interrupt) : undefined,
      env: process.env,
      cwd: process.cwd(),
      signal: interrupt.signal,
    },
    packageVersion(),
  );
  process.exitCode = code;
  // Nothing should be left running, but a half-closed keep-alive socket must not hold the exit code hostage.
  setTimeout(() => process.exit(code), 1000).unref();
}

void main();
