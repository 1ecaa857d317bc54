import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * PrometheusLine is one Prometheus release line with its Alertmanager, as the tests run it:
 * the paths of its four binaries and the versions they report. A test that needs a real
 * Prometheus takes one of these and uses only its paths, so it runs the same on every line.
 */
export interface PrometheusLine {
  /** title names the versions, for test titles: "Prometheus 3.5.3 and Alertmanager 0.33.1". */
  title: string;
  prometheusVersion: string;
  alertmanagerVersion: string;
  prometheus: string;
  promtool: string;
  alertmanager: string;
  amtool: string;
}

/** LineSpec is a line the tests expect, where its binaries are looked for and how to get them. */
export interface LineSpec {
  /** name is the line as the README names it, e.g. "Prometheus 3.5 LTS". */
  name: string;
  prometheus: string;
  alertmanager: string;
  /** dirs are searched in order for the binaries. */
  dirs: () => string[];
  howToGet: string;
}

/** LTS_DIR_VARIABLE names the folder holding the LTS tools (as unpacked by the fetch script). */
export const LTS_DIR_VARIABLE = 'TENSORPIX_PROMETHEUS_LTS_DIR';
const REPO = join(__dirname, '..', '..');
const ltsDir = () => process.env[LTS_DIR_VARIABLE] || join(REPO, '.tools', 'prometheus-lts');

/** TESTED_LINES are the lines the README promises, oldest first; CI fails unless it finds each of them. */
export const TESTED_LINES: readonly LineSpec[] = [
  {
    name: 'Prometheus 2.42 (Debian 12)',
    prometheus: '2.42',
    alertmanager: '0.25',
    dirs: () => (process.env.PATH ?? '').split(delimiter).filter(Boolean),
    howToGet: 'apt-get install prometheus prometheus-alertmanager',
  },
  {
    name: 'Prometheus 3.5 LTS',
    prometheus: '3.5',
    alertmanager: '0.33',
    dirs: () => [join(ltsDir(), 'usr', 'bin'), ltsDir()],
    howToGet: `bash scripts/fetch-prometheus-lts.sh, or set ${LTS_DIR_VARIABLE} to a folder holding them`,
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

/** resolve finds a line's binaries and the versions they report; else says what is missing. */
function resolve(spec: LineSpec): PrometheusLine | string {
  const dirs = spec.dirs();
  const binaries = {
    prometheus: find(dirs, 'prometheus'),
    promtool: find(dirs, 'promtool'),
    // Debian names the Alertmanager binary prometheus-alertmanager; upstream, alertmanager.
    alertmanager: find(dirs, 'prometheus-alertmanager', 'alertmanager'),
    amtool: find(dirs, 'amtool'),
  };
  const absent = Object.keys(binaries).filter((name) => !binaries[name as keyof typeof binaries]);
  if (absent.length > 0) return `${absent.join(', ')} not found`;
  const paths = binaries as Record<keyof typeof binaries, string>;
  const prometheusVersion = versionOf(paths.prometheus);
  const alertmanagerVersion = versionOf(paths.alertmanager);
  if (!prometheusVersion || !alertmanagerVersion)
    return `${paths.prometheus} or ${paths.alertmanager} does not run`;
  return {
    title: `Prometheus ${prometheusVersion} and Alertmanager ${alertmanagerVersion}`,
    prometheusVersion,
    alertmanagerVersion,
    ...paths,
  };
}

/** offLine says how a found line differs from the release lines the spec names, if it does. */
function offLine(spec: LineSpec, line: PrometheusLine): string | undefined {
  const wanted = `Prometheus ${spec.prometheus}.x and Alertmanager ${spec.alertmanager}.x`;
  const on =
    line.prometheusVersion.startsWith(`${spec.prometheus}.`) &&
    line.alertmanagerVersion.startsWith(`${spec.alertmanager}.`);
  return on ? undefined : `${spec.name}: found ${line.title}, not ${wanted}`;
}

function fail(message: string): never {
  throw new Error(message);
}

let resolved: Array<{ spec: LineSpec; line: PrometheusLine | string }> | undefined;

/** prometheusLines resolves every tested line once per test file: a PrometheusLine, or why it is missing. */
export function prometheusLines(): Array<{ spec: LineSpec; line: PrometheusLine | string }> {
  resolved ??= TESTED_LINES.map((spec) => ({ spec, line: resolve(spec) }));
  return resolved;
}

/**
 * describeEachLine declares `body` once for every tested line, inside a describe titled
 * "on Prometheus 3.5.3 and Alertmanager 0.33.1", so a failure names the line it failed on.
 * A missing line is one skipped test and a warning saying how to get it; with CI set it is
 * a failing test instead, since CI must prove every line the README promises. The versions
 * found name the describe, so a PATH holding another Prometheus runs the checks under its
 * own name (and fails CI).
 */
export function describeEachLine(body: (line: PrometheusLine) => void): void {
  for (const { spec, line } of prometheusLines()) {
    if (typeof line !== 'string') {
      const off = offLine(spec, line);
      describe(`on ${line.title}`, () => {
        // Another version still runs the checks; only CI must prove the promised lines.
        if (off && process.env.CI) test(`is the release line the README promises`, () => fail(off));
        else if (off) console.warn(off);
        body(line);
      });
      continue;
    }
    const why = `${spec.name} is missing (${line}): ${spec.howToGet}`;
    if (process.env.CI) {
      test(`on ${spec.name}: the binaries are installed`, () => fail(why));
    } else {
      console.warn(`${why}; skipping its checks`);
      test.skip(`on ${spec.name} (missing)`, () => undefined);
    }
  }
}
