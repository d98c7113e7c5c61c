import readline from 'node:readline';
import { Writable } from 'node:stream';

/**
 * CliIo.prompt on a real terminal: the question on stderr (stdout stays data), the answer read from
 * stdin with readline (so editing keys work), nothing echoed for a secret. Ctrl+C while asking aborts
 * `interrupt`, which ends the command the way Ctrl+C ends anything else (exit 130).
 */
export function terminalPrompt(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  interrupt: AbortController,
): (question: string, options?: { secret?: boolean }) => Promise<string> {
  return (question, options = {}) =>
    new Promise<string>((resolve, reject) => {
      let muted = false;
      // Everything readline echoes goes through here; once the question is out, a secret's keystrokes are dropped.
      const echo = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (!muted) output.write(chunk);
          done();
        },
      });
      const rl = readline.createInterface({ input, output: echo, terminal: true });
      const finish = (): void => {
        rl.close();
        if (options.secret) output.write('\n'); // the Enter that was not echoed
      };
      rl.once('SIGINT', () => {
        finish();
        interrupt.abort(new Error('interrupted'));
        reject(new Error('interrupted'));
      });
      rl.question(question, (answer) => {
        finish();
        resolve(answer);
      });
      muted = options.secret === true;
    });
}
