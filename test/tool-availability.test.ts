import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTERNAL_TOOLS } from './helpers/external-tools';
import { TESTED_LINES, prometheusLines } from './helpers/prometheus-lines';

// Each external tool's tests skip when that tool is missing, with a warning saying how to
// get it, and the others still run; with CI set they fail. Shown by running a test file
// in a child jest whose PATH has promtool but no amtool (on both lines).
const REPO = join(__dirname, '..');
const JEST = join(REPO, 'node_modules', '.bin', 'jest');

/** debianLine is the Debian line's promtool and prometheus, found by the suite itself. */
const debian = prometheusLines().find(({ spec }) => spec === TESTED_LINES[0])!.line;
const have = debian.paths.promtool !== undefined && debian.paths.prometheus !== undefined;
if (!have) console.warn('promtool is not installed: skipping the check that amtool alone can be missing');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-tools-'));
  for (const name of ['bin', 'lts']) spawnSync('mkdir', [join(dir, name)]);
  symlinkSync(process.execPath, join(dir, 'bin', 'node'));
  for (const tool of ['sh', 'openssl'])
    symlinkSync(
      spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(),
      join(dir, 'bin', tool),
    );
  if (!have) return;
  symlinkSync(debian.paths.promtool!, join(dir, 'bin', 'promtool'));
  symlinkSync(debian.paths.prometheus!, join(dir, 'bin', 'prometheus'));
  symlinkSync(debian.paths.promtool!, join(dir, 'lts', 'promtool'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAlertRuleTests(ci: boolean) {
  const env = {
    HOME: process.env.HOME ?? tmpdir(),
    PATH: join(dir, 'bin'),
    TENSORPIX_PROMETHEUS_LTS_DIR: join(dir, 'lts'),
    ...(ci && { CI: '1' }),
  };
  const result = spawnSync(process.execPath, [JEST, '--colors=false', 'test/alert-rules.test.ts'], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

(have ? test : test.skip)(
  'promtool without amtool: the promtool checks run, the amtool check skips naming its package; CI fails',
  () => {
    const local = runAlertRuleTests(false);
    expect(local.output).toMatch(/✓ promtool test rules passes/);
    expect(local.output).toContain(
      'Prometheus 2.42 (Debian 12): amtool is missing (apt-get install prometheus-alertmanager); skipping: the example Alertmanager configuration passes amtool check-config',
    );
    expect(local.output).toMatch(/Tests: +2 skipped, \d+ passed/);
    expect(local.status).toBe(0);

    const ci = runAlertRuleTests(true);
    expect(ci.output).toContain(
      '✕ the example Alertmanager configuration passes amtool check-config: Prometheus 2.42 (Debian 12): amtool is installed',
    );
    expect(ci.output).toMatch(/✓ promtool test rules passes/);
    expect(ci.status).toBe(1);
  },
  120_000,
);

test("the README's quick start names every optional tool the tests use, and how to get it", () => {
  const quickStart = /^## Quick start\n([\s\S]*?)^## /m.exec(
    readFileSync(join(REPO, 'README.md'), 'utf8'),
  )![1]!;
  for (const [name, tool] of Object.entries(EXTERNAL_TOOLS)) {
    expect(quickStart).toContain(`\`${name}\``);
    expect(quickStart).toContain(tool.howToGet.replace(/^apt-get install /, ''));
  }
  for (const tool of ['promtool', 'prometheus', 'amtool', 'alertmanager'])
    expect(quickStart).toContain(`\`${tool}\``);
  for (const spec of TESTED_LINES)
    for (const tool of ['prometheus', 'promtool', 'alertmanager', 'amtool'] as const)
      expect(quickStart).toContain(
        spec
          .howToGet(tool)
          .split(',')[0]!
          .replace(/^apt-get install /, ''),
      );
});
