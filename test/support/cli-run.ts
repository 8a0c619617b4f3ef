/**
 * Runs one of the administration commands (`urbis audit`, `keys`, `retention`) in process, on a data
 * directory, the way src/cli/main.ts does, and gives back its exit code and everything it wrote to
 * stdout and stderr, for the CLI tests (test/cli).
 */
import { Writable } from 'node:stream';
import type { AdminCommandFn } from '../../src/cli/data-dir-store.js';

export interface CommandRun {
  code: number;
  out: string;
  err: string;
}

/** Run `command` with `args` on `dataDir`; resolves when it has finished. */
export async function runCommand(
  command: AdminCommandFn,
  args: string[],
  dataDir: string,
): Promise<CommandRun> {
  let out = '';
  let err = '';
  // Synchronous sinks: each write is kept at once, so nothing is left in flight when the command ends.
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await command(
    args,
    dataDir,
    sink((s) => (out += s)),
    sink((s) => (err += s)),
  );
  return { code, out, err };
}
