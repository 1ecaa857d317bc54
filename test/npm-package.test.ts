import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { sampleValue } from './helpers/exposition';

const REPO = join(__dirname, '..');
let work: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tensorpix-pack-'));
  // --ignore-scripts: pretest already built dist/, prepack would only build it again.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: REPO,
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((file) => file.path);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the package holds dist/, the dashboard, the rules and their thresholds example, README and licence, and nothing else', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'dist/main.js',
      'grafana/tensorpix-exporter.json',
      'prometheus/alerts.yml',
      'prometheus/thresholds.example.yml',
      'README.md',
      'LICENSE',
      'package.json',
    ]),
  );
  const allowed =
    /^(dist\/.+\.js|dist\/build-info\.json|grafana\/tensorpix-exporter\.json|prometheus\/(alerts|thresholds\.example)\.yml|README\.md|LICENSE|package\.json)$/;
  expect(files.filter((file) => !allowed.test(file))).toEqual([]);
  expect(files.some((file) => file.endsWith('.map') || file.endsWith('.ts'))).toBe(false);
});

test('installed from the tarball, `npx tensorpix-exporter` answers --version and serves --demo', async () => {
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{ "name": "try-tensorpix-exporter", "private": true }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: app,
    stdio: 'ignore',
  });

  const version = execFileSync('npx', ['--no-install', 'tensorpix-exporter', '--version'], {
    cwd: app,
    encoding: 'utf8',
  });
  expect(version).toMatch(/^tensorpix-exporter, version \d+\.\d+\.\d+/);

  // The installed bin itself, not through npx: a signal to npx would not reach it.
  const bin = join(app, 'node_modules', '.bin', 'tensorpix-exporter');
  const child = spawn(bin, ['--demo', '--web.listen-address=127.0.0.1:0'], {
    cwd: app,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${log}`)), 10_000);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /"address":"([^"]+)".*"msg":"listening"/.exec(log);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const { body } = await request(`http://${address}/metrics`);
    expect(sampleValue(await body.text(), 'tensorpix_up', { account: 'demo' })).toBe(1);
    // The bin's first line gave node the heap options: env replaced itself with node.
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(argv.slice(0, 3).map((arg, i) => (i === 0 ? arg.split('/').pop() : arg))).toEqual([
      'node',
      '--max-semi-space-size=2',
      '--heap-growing-percent=20',
    ]);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}, 120_000);
