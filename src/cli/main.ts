/**
 * The `urbis` command. Verbs: `serve` (the platform), `help`. Flags override environment
 * variables, which override defaults; see `urbis help` and the README.
 */
import { parseArgs } from 'node:util';
import { ConfigError, SETTINGS, buildConfig } from './config.js';
import { serve } from './serve.js';

const USAGE = `usage: urbis <command> [flags]

commands:
  serve     run Urbis: HTTP API (NGSI-LD), embedded store
  help      show this text

flags (environment variable, default):
${Object.values(SETTINGS)
  .map((s) => `  --${s.flag.padEnd(20)} ${s.doc} (${s.env}, ${JSON.stringify(s.default)})`)
  .join('\n')}
`;

/** Run the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`urbis: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  let flags: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(
      Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }]),
    );
    flags = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (e) {
    process.stderr.write(`urbis: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const config = buildConfig(flags, process.env);
    await serve(config);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`urbis: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
