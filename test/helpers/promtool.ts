import { spawnSync } from 'node:child_process';

/**
 * runTool runs a Prometheus or Alertmanager tool (a PrometheusLine's promtool or amtool)
 * with `input` on standard input, and returns its exit status and everything it printed.
 */
export function runTool(
  binary: string,
  args: string[],
  options: { input?: string; cwd?: string } = {},
): { status: number | null; output: string } {
  const result = spawnSync(binary, args, { ...options, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
