import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { MAIN, NODE_FLAGS, startExporter, type RunningExporter } from './helpers/child';
import { freePort } from './helpers/tinyproxy';

// A log line that cannot be written (its reader gone, a full disk) has nowhere to go: the
// exporter drops it and keeps serving. These run the built exporter as a real process,
// because only a real standard error meets EPIPE and ENOSPC.

const TOKEN = 'b4d0c0ffee0123456789abcdef012345';
const dir = mkdtempSync(join(tmpdir(), 'tpx-log-write-'));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, `${TOKEN}\n`);
// Port 1 refuses at once: every scrape fails its account, and each failure is logged.
const FAILING = { TENSORPIX_API_URL: 'http://127.0.0.1:1/', TENSORPIX_API_TOKEN_FILE: tokenFile };

let running: RunningExporter | undefined;
afterEach(async () => {
  running?.child.kill('SIGKILL');
  await running?.exited;
  running = undefined;
});

const scrape = async (url: string) => {
  const response = await request(`${url}/metrics`);
  const body = await response.body.text();
  return { status: response.statusCode, up: /^tensorpix_up\{[^}]*\} (\d)/m.exec(body)?.[1] };
};

test('with the reader of standard error gone, scrapes that log failures still answer 200 and SIGTERM exits 0', async () => {
  running = await startExporter(['--cache.ttl=0s'], FAILING);
  // The read end is closed: the exporter's next write to standard error meets EPIPE.
  running.child.stderr!.destroy();
  for (let i = 0; i < 3; i++) expect(await scrape(running.url)).toEqual({ status: 200, up: '0' });
  // The shutdown logs a line too, and must not turn into an exit 1 for it.
  running.child.kill('SIGTERM');
  const { code, signal } = await running.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});

test('with standard error on a full disk (/dev/full), the exporter serves and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const full = openSync('/dev/full', 'w');
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, MAIN, `--web.listen-address=127.0.0.1:${port}`, '--cache.ttl=0s'],
    { env: { PATH: process.env.PATH ?? '', ...FAILING }, stdio: ['ignore', 'ignore', full] },
  );
  closeSync(full);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    // No "listening" line can be read: poll the port (generously: the machine is shared).
    let first: Awaited<ReturnType<typeof scrape>> | string = 'never answered';
    for (let i = 0; i < 100 && typeof first === 'string'; i++) {
      first = await scrape(`http://127.0.0.1:${port}`).catch(
        (error: { code?: string }) => error.code ?? 'error',
      );
      if (typeof first === 'string') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(first).toEqual({ status: 200, up: '0' });
    expect(await scrape(`http://127.0.0.1:${port}`)).toEqual({ status: 200, up: '0' });
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  } finally {
    child.kill('SIGKILL');
  }
});

/** runWithClosedReader runs the exporter with one output's reader closed at once, and gives its exit. */
function runWithClosedReader(args: string[], closed: 'stdout' | 'stderr'): Promise<number | null> {
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child[closed].destroy();
  child[closed === 'stdout' ? 'stderr' : 'stdout'].resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
}

test('--config.check piped to a reader that closes at once still exits with its verdict', async () => {
  // 2 000 accounts: the verdict's lines (over 100 KiB) cannot all fit in a pipe's buffer.
  const accounts = Array.from({ length: 2000 }, (_, i) => `  - {name: account-${i}, token_file: token}`);
  const accountsFile = join(dir, 'accounts.yml');
  writeFileSync(accountsFile, `accounts:\n${accounts.join('\n')}\n`);
  expect(await runWithClosedReader([`--config.file=${accountsFile}`, '--config.check'], 'stdout')).toBe(0);
  // An invalid configuration's problems go to standard error: closed, the verdict is still 2.
  expect(
    await runWithClosedReader([`--config.file=${join(dir, 'missing.yml')}`, '--config.check'], 'stderr'),
  ).toBe(2);
});
