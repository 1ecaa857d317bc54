import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { declareMissing } from './external-tools';

/** LineTool is one of the four binaries of a line. */
export type LineTool = 'prometheus' | 'promtool' | 'alertmanager' | 'amtool';
export const LINE_TOOLS: readonly LineTool[] = ['prometheus', 'promtool', 'alertmanager', 'amtool'];

/**
 * PrometheusLine is one Prometheus release line with its Alertmanager, as the tests run it:
 * the paths of those of its four binaries that are installed, and the versions they report.
 * A test that needs a real Prometheus takes one of these and declares itself with
 * `line.test` or `line.describe`, naming the binaries it needs: it runs when they are
 * there, whatever else is missing, so the same checks run the same on every line.
 */
export interface PrometheusLine {
  /** title names the versions, for test titles: "Prometheus 3.5.3 and Alertmanager 0.33.1". */
  title: string;
  prometheusVersion?: string;
  alertmanagerVersion?: string;
  /** paths are those of the binaries found. */
  paths: Partial<Record<LineTool, string>>;
  /** test declares a test that needs `tools`; without one of them, see declareMissing. */
  test<T extends LineTool>(
    tools: readonly T[],
    title: string,
    fn: (paths: Record<T, string>) => void | Promise<unknown>,
    timeoutMs?: number,
  ): void;
  /** describe declares a group of tests that need `tools`; without one of them, see declareMissing. */
  describe<T extends LineTool>(
    tools: readonly T[],
    title: string,
    body: (paths: Record<T, string>) => void,
  ): void;
}

/** LineSpec is a line the tests expect, where its binaries are looked for and how to get them. */
export interface LineSpec {
  /** name is the line as docs/tested-versions.md names it, e.g. "Prometheus 3.5 LTS". */
  name: string;
  prometheus: string;
  alertmanager: string;
  /** dirs are searched in order for the binaries. */
  dirs: () => string[];
  /** howToGet says how to get a binary of the line. */
  howToGet: (tool: LineTool) => string;
}

/** LTS_DIR_VARIABLE names the folder holding the LTS tools (as unpacked by the fetch script). */
export const LTS_DIR_VARIABLE = 'TENSORPIX_PROMETHEUS_LTS_DIR';
const REPO = join(__dirname, '..', '..');
const ltsDir = () => process.env[LTS_DIR_VARIABLE] || join(REPO, '.tools', 'prometheus-lts');

/** TESTED_LINES are the lines docs/tested-versions.md promises, oldest first; CI fails unless it finds each of them. */
export const TESTED_LINES: readonly LineSpec[] = [
  {
    name: 'Prometheus 2.42 (Debian 12)',
    prometheus: '2.42',
    alertmanager: '0.25',
    dirs: () => (process.env.PATH ?? '').split(delimiter).filter(Boolean),
    // promtool comes with Prometheus, amtool with Alertmanager.
    howToGet: (tool) =>
      /^(prometheus|promtool)$/.test(tool)
        ? 'apt-get install prometheus'
        : 'apt-get install prometheus-alertmanager',
  },
  {
    name: 'Prometheus 3.5 LTS',
    prometheus: '3.5',
    alertmanager: '0.33',
    dirs: () => [join(ltsDir(), 'usr', 'bin'), ltsDir()],
    howToGet: () => `bash scripts/fetch-prometheus-lts.sh, or set ${LTS_DIR_VARIABLE} to a folder holding it`,
  },
];

/** find returns the first executable `name` among `dirs`. */
function find(dirs: string[], ...names: string[]): string | undefined {
  for (const dir of dirs) {
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here; try the next one
      }
    }
  }
  return undefined;
}

/** versionOf returns the x.y.z that `binary --version` prints, or undefined if it does not run. */
function versionOf(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return /version (\d+\.\d+\.\d+)/.exec(`${result.stdout}${result.stderr}`)?.[1];
}

/**
 * resolve finds those of a line's binaries that are installed and run, and the versions
 * they report. A binary that is there but does not run (a broken link, another
 * architecture) counts as missing, and the warning says so.
 */
function resolve(spec: LineSpec): PrometheusLine {
  const dirs = spec.dirs();
  const paths: Partial<Record<LineTool, string>> = {};
  const versions: Partial<Record<LineTool, string>> = {};
  const broken: Partial<Record<LineTool, string>> = {};
  const look = (tool: LineTool, ...names: string[]) => {
    const path = find(dirs, ...names);
    const version = path && versionOf(path);
    if (path && version) [paths[tool], versions[tool]] = [path, version];
    else if (path) broken[tool] = `${tool} (${path} does not run)`;
  };
  look('prometheus', 'prometheus');
  look('promtool', 'promtool');
  // Debian names the Alertmanager binary prometheus-alertmanager; upstream, alertmanager.
  look('alertmanager', 'prometheus-alertmanager', 'alertmanager');
  look('amtool', 'amtool');
  // The server's version, else its tool's: each reports the version of its release.
  const prometheusVersion = versions.prometheus ?? versions.promtool;
  const alertmanagerVersion = versions.alertmanager ?? versions.amtool;
  const title =
    `Prometheus ${prometheusVersion ?? `${spec.prometheus} (not found)`} and ` +
    `Alertmanager ${alertmanagerVersion ?? `${spec.alertmanager} (not found)`}`;
  const requiring =
    <A extends unknown[]>(declare: (title: string, ...args: A) => void) =>
    (tools: readonly LineTool[], title: string, ...args: A) => {
      const absent = tools.filter((tool) => !paths[tool]);
      if (absent.length === 0) return declare(title, ...args);
      const how = [...new Set(absent.map(spec.howToGet))].join('; ');
      declareMissing(title, `${spec.name}: ${absent.map((tool) => broken[tool] ?? tool).join(', ')}`, how);
    };
  return {
    title,
    ...(prometheusVersion && { prometheusVersion }),
    ...(alertmanagerVersion && { alertmanagerVersion }),
    paths,
    test: requiring((title: string, fn: (paths: never) => void | Promise<unknown>, timeoutMs?: number) =>
      test(title, async () => void (await fn(paths as never)), timeoutMs),
    ),
    describe: requiring((title: string, body: (paths: never) => void) =>
      describe(title, () => body(paths as never)),
    ),
  };
}

/** offLine says how a found line differs from the release lines the spec names, if it does. */
function offLine(spec: LineSpec, line: PrometheusLine): string | undefined {
  const wanted = `Prometheus ${spec.prometheus}.x and Alertmanager ${spec.alertmanager}.x`;
  const on = (version: string | undefined, series: string) =>
    version === undefined || version.startsWith(`${series}.`);
  return on(line.prometheusVersion, spec.prometheus) && on(line.alertmanagerVersion, spec.alertmanager)
    ? undefined
    : `${spec.name}: found ${line.title}, not ${wanted}`;
}

function fail(message: string): never {
  throw new Error(message);
}

let resolved: Array<{ spec: LineSpec; line: PrometheusLine }> | undefined;

/** prometheusLines resolves every tested line once per test file. */
export function prometheusLines(): Array<{ spec: LineSpec; line: PrometheusLine }> {
  resolved ??= TESTED_LINES.map((spec) => ({ spec, line: resolve(spec) }));
  return resolved;
}

/**
 * describeEachLine declares `body` once for every tested line, inside a describe titled
 * "on Prometheus 3.5.3 and Alertmanager 0.33.1", so a failure names the line it failed on.
 * What needs a binary says so: the tests in `body` with line.test and line.describe, or a
 * whole body by naming `needs` (it then gets their paths). Whatever needs a missing binary
 * is skipped with a warning saying how to get that binary, and the rest runs (a line with
 * promtool but no amtool still runs its promtool checks); with CI set it fails instead,
 * since CI must prove every line docs/tested-versions.md promises. The versions found name the
 * describe, so a PATH holding another Prometheus runs the checks under its own name (and
 * fails CI).
 */
export function describeEachLine(body: (line: PrometheusLine) => void): void;
export function describeEachLine<T extends LineTool>(
  needs: readonly T[],
  body: (line: PrometheusLine, binaries: Record<T, string>) => void,
): void;
export function describeEachLine(
  needsOrBody: readonly LineTool[] | ((line: PrometheusLine) => void),
  maybeBody?: (line: PrometheusLine, binaries: Record<LineTool, string>) => void,
): void {
  const needs = typeof needsOrBody === 'function' ? [] : needsOrBody;
  const body = typeof needsOrBody === 'function' ? needsOrBody : maybeBody!;
  for (const { spec, line } of prometheusLines()) {
    const off = offLine(spec, line);
    describe(`on ${line.title}`, () => {
      // Another version still runs the checks; only CI must prove the promised lines.
      if (off && process.env.CI)
        test(`is the release line docs/tested-versions.md promises`, () => fail(off));
      else if (off) console.warn(off);
      if (needs.length === 0) body(line, line.paths as Record<LineTool, string>);
      else line.describe(needs, `needing ${needs.join(', ')}`, (binaries) => body(line, binaries));
    });
  }
}
