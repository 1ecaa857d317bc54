import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// scripts/latest-deps.sh tells a registry it cannot reach (skip that check, exit 0, say so)
// from any other failure (exit 1, naming the step). Its passing run installs from the real
// registry and runs the whole suite: that is CI's (.ci/run), not a unit test's. Here npm is
// pointed at 127.0.0.1: a closed port, then a fake registry that answers ping and has no
// package at all.
const SCRIPT = join(__dirname, '..', 'scripts', 'latest-deps.sh');

function run(registry: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT], {
      env: { ...process.env, npm_config_registry: registry },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let server: Server | undefined;
afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

/** listen starts a fake registry, and gives its address and the paths it was asked for. */
async function listen(answer: (path: string) => number): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const status = answer(req.url ?? '');
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(status === 200 ? '{}' : '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, asked };
}

test('a registry that cannot be reached skips the check with a line that says so, and exits 0', async () => {
  const { url } = await listen(() => 200);
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  const { code, stdout } = await run(url);
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^latest-deps: SKIPPED: the npm registry \(http:\/\/127\.0\.0\.1:\d+\/\) cannot be reached \(ECONNREFUSED\)/m,
  );
  // Nothing was installed, built or tested.
  expect(stdout).not.toMatch(/install:|build|tests/);
}, 120_000);

test('a registry that answers but has not the packages fails, naming the install', async () => {
  const registry = await listen((path) => (path.startsWith('/-/ping') ? 200 : 404));
  const { code, stdout, stderr } = await run(registry.url);
  expect(code).toBe(1);
  expect(stderr).toMatch(/^latest-deps: FAILED: install \(npm install --no-package-lock\)/m);
  expect(stdout).not.toMatch(/SKIPPED|PASSED/);
  // npm asked for the packages package.json names, read from it at run time.
  expect(registry.asked.some((path) => /^\/(undici|express|pino)\b/.test(path))).toBe(true);
}, 120_000);
