/** The switch forms of boolean settings on the command line. */
import { SETTINGS } from './config.js';

/**
 * Boolean settings also take the usual switch forms: `--demo` alone means true and `--no-demo` false
 * (rewritten to `--demo=true|false` before the flags are parsed).
 */
export function switchFlags(args: readonly string[]): string[] {
  const switches = new Set(
    Object.values(SETTINGS)
      .filter((s) => s.flag !== '' && typeof s.default === 'boolean')
      .map((s) => s.flag),
  );
  return args.map((arg, i) => {
    const negated = /^--no-(.+)$/.exec(arg)?.[1];
    if (negated !== undefined && switches.has(negated)) return `--${negated}=false`;
    const name = /^--([a-z-]+)$/.exec(arg)?.[1];
    const next = args[i + 1];
    const bare = next === undefined || next.startsWith('--');
    if (name !== undefined && switches.has(name) && bare) return `--${name}=true`;
    return arg;
  });
}
