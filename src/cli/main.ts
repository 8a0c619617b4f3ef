/**
 * The `urbis` command. Verbs: `serve` (the platform), `keys`, `audit`, `retention`, `devices`
 * (administration on the data directory), `help`. Flags override environment variables, which
 * override defaults; see `urbis help` and the README.
 */
import { parseArgs } from 'node:util';
import { auditCommand } from './audit-command.js';
import { ConfigError, SETTINGS, buildConfig } from './config.js';
import { switchFlags } from './switch-flags.js';
import { devicesCommand } from './devices-command.js';
import { runDemoCommand } from './demo-command.js';
import { keysCommand } from './keys-command.js';
import { retentionCommand } from './retention-command.js';
import { serve } from './serve.js';

/** Administration verbs: they work on the store of the data directory. */
const ADMIN_VERBS = {
  keys: keysCommand,
  audit: auditCommand,
  retention: retentionCommand,
  devices: devicesCommand,
} as const;

const USAGE = `usage: urbis <command> [flags]

commands:
  serve       run Urbis: HTTP API (NGSI-LD, admin API), embedded store
  keys        create, list and revoke API keys (urbis keys help)
  audit       verify the audit log's hash chain, show its head, list entries (urbis audit help)
  retention   run the retention job now, or show what it would delete (urbis retention run --dry-run)
  devices     device profiles, devices (one or bulk from CSV/JSON) and credentials (urbis devices help)
  demo        run the demo city's devices against a running Urbis (urbis demo --help)
  help        show this text

The administration commands take --data-dir (URBIS_DATA_DIR) like serve.

flags (environment variable, default):
${Object.values(SETTINGS)
  .map((s) =>
    s.flag === ''
      ? `  ${s.env.padEnd(22)} ${s.doc}`
      : `  --${s.flag.padEnd(20)} ${s.doc} (${s.env}, ${JSON.stringify(s.default)})`,
  )
  .join('\n')}
`;

/** Run the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (Object.hasOwn(ADMIN_VERBS, command)) {
    const { dataDir, args } = takeDataDir(rest);
    return ADMIN_VERBS[command as keyof typeof ADMIN_VERBS](args, dataDir, process.stdout, process.stderr);
  }
  if (command === 'demo') return exitCode(() => runDemoCommand(rest));
  if (command !== 'serve') {
    process.stderr.write(`urbis: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  let flags: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(
      Object.values(SETTINGS)
        .filter((s) => s.flag !== '')
        .map((s) => [s.flag, { type: 'string' as const }]),
    );
    flags = parseArgs({ args: switchFlags(rest), options, strict: true, allowPositionals: false })
      .values as Record<string, string | undefined>;
  } catch (e) {
    process.stderr.write(`urbis: ${(e as Error).message}\n`);
    return 2;
  }
  const given = flags;
  return exitCode(() => serve(buildConfig(given, process.env)));
}

/** Run a long-lived verb: 0 when it ends, 2 with its one-line message for a bad setting. */
async function exitCode(run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`urbis: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** `--data-dir x` / `--data-dir=x` out of an admin verb's arguments (else URBIS_DATA_DIR, else the default). */
function takeDataDir(args: string[]): { dataDir: string; args: string[] } {
  const rest: string[] = [];
  let dataDir = process.env[SETTINGS.dataDir.env] ?? SETTINGS.dataDir.default;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--data-dir' && i + 1 < args.length) dataDir = args[++i] as string;
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else rest.push(a);
  }
  return { dataDir, args: rest };
}
