import { spawnSync } from 'node:child_process';

/**
 * havePromtool tells whether `promtool` (Debian's prometheus package) is on PATH. CI
 * installs it and sets CI=true, where a missing promtool fails instead of skipping.
 */
export function havePromtool(): boolean {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('promtool is required in CI (apt-get install prometheus)');
  if (!found) console.warn('promtool not found: skipping promtool checks (apt-get install prometheus)');
  return found;
}

/** promtool runs promtool with `input` on standard input. */
export function promtool(
  args: string[],
  input?: string,
  cwd?: string,
): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { input, cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
