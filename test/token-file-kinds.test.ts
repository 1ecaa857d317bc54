import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { runToExit, startExporter, type RunningExporter } from './helpers/child';
import { sampleValue } from './helpers/exposition';
import { balance, startFakeApi, type FakeApi } from './helpers/fake-api';

// A token path that is not a regular file: each would block the process (a FIFO with no
// writer), never end (/dev/zero) or make no sense. Each is named in the problem.
const KINDS: Array<[string, (path: string) => void, string]> = [
  ['a FIFO', (path) => execFileSync('mkfifo', [path]), 'a FIFO, not a regular file'],
  ['/dev/zero', (path) => symlinkSync('/dev/zero', path), 'a device, not a regular file'],
  ['a directory', (path) => mkdirSync(path), 'a directory, not a regular file'],
  ['a 1 MiB file', (path) => writeFileSync(path, 'x'.repeat(1024 * 1024)), 'larger than 8 KiB'],
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-token-kinds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('at start', () => {
  test.each(KINDS)(
    'a token file that is %s: exit 2 with the reason, at once',
    async (_kind, make, reason) => {
      const token = join(dir, 'token');
      make(token);
      const started = Date.now();
      const flag = await runToExit([`--tensorpix.token-file=${token}`]);
      expect(flag).toMatchObject({ code: 2, stdout: '' });
      expect(flag.stderr).toBe(`tensorpix-exporter: token file ${token} cannot be read (${reason})\n`);
      writeFileSync(join(dir, 'accounts.yml'), 'accounts:\n  - {name: a, token_file: token}\n');
      const file = await runToExit([`--config.file=${join(dir, 'accounts.yml')}`, '--config.check']);
      expect(file.code).toBe(2);
      expect(file.stderr).toBe(
        `tensorpix-exporter: --config.file: accounts[0]: token file ${token} cannot be read (${reason})\n`,
      );
      expect(Date.now() - started).toBeLessThan(4000);
    },
  );

  test('an accounts file that is a FIFO: exit 2 with the reason, not a wait for a writer', async () => {
    execFileSync('mkfifo', [join(dir, 'accounts.yml')]);
    const result = await runToExit([`--config.file=${join(dir, 'accounts.yml')}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `tensorpix-exporter: --config.file: cannot read ${join(dir, 'accounts.yml')} (a FIFO, not a regular file)\n`,
    );
  });
});

describe('at run time', () => {
  let api: FakeApi;
  let running: RunningExporter;
  const token = () => join(dir, 'token');
  const scrape = async () => {
    const started = Date.now();
    const { statusCode, body } = await request(`${running.url}/metrics`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' },
    });
    const text = await body.text();
    return { statusCode, text, elapsedMs: Date.now() - started };
  };
  const rssMiB = () =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${running.child.pid}/status`, 'utf8'))![1]) / 1024;

  beforeEach(async () => {
    api = await startFakeApi();
    api.reply(balance('6.0000'));
    writeFileSync(token(), 'good-token\n');
    // TTL 0: every scrape of a healthy account makes an attempt.
    running = await startExporter(
      [`--tensorpix.api-url=${api.url}`, '--cache.ttl=0s', '--tensorpix.timeout=1s'],
      {
        TENSORPIX_API_TOKEN_FILE: token(),
      },
    );
  });
  afterEach(async () => {
    running.child.kill('SIGKILL');
    await api.close();
  });

  test.each(KINDS)(
    'swapped for %s: counted as token_file within the budget, RSS bounded; restored, up again',
    async (_kind, make, reason) => {
      expect(sampleValue((await scrape()).text, 'tensorpix_up', { account: 'default' })).toBe(1);
      rmSync(token(), { recursive: true });
      make(token());
      for (let i = 0; i < 3; i++) {
        const { statusCode, text, elapsedMs } = await scrape();
        expect(statusCode).toBe(200);
        expect(elapsedMs).toBeLessThan(1500 + 500);
        expect(sampleValue(text, 'tensorpix_up', { account: 'default' })).toBe(0);
        expect(
          sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'default', code: 'token_file' }),
        ).toBe(1);
        // The last good balance is kept, never a 0.
        expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'default' })).toBe(6);
      }
      expect(rssMiB()).toBeLessThan(200);
      expect(running.stderr()).toContain(`token file ${token()} cannot be read (${reason})`);
      expect(running.stderr().match(/cannot be read/g)).toHaveLength(1);

      rmSync(token(), { recursive: true });
      writeFileSync(token(), 'good-token\n');
      // The next attempt reads the file again: within the second a failing account waits.
      let up: number | undefined;
      for (let i = 0; i < 30 && up !== 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        up = sampleValue((await scrape()).text, 'tensorpix_up', { account: 'default' });
      }
      expect(up).toBe(1);
      expect(api.requests.every((r) => r.headers.authorization === 'Token good-token')).toBe(true);
    },
  );
});

test('a reload naming a FIFO is rejected at once; /-/healthy and /metrics keep answering', async () => {
  const api = await startFakeApi();
  api.reply(balance('6.0000'));
  writeFileSync(join(dir, 'a.token'), 'a-token\n');
  const accounts = join(dir, 'accounts.yml');
  writeFileSync(accounts, `api_url: ${api.url}\naccounts:\n  - {name: a, token_file: a.token}\n`);
  const running = await startExporter([`--config.file=${accounts}`]);
  try {
    execFileSync('mkfifo', [join(dir, 'b.token')]);
    writeFileSync(
      accounts,
      `api_url: ${api.url}\naccounts:\n  - {name: a, token_file: a.token}\n  - {name: b, token_file: b.token}\n`,
    );
    running.child.kill('SIGHUP');
    for (let i = 0; i < 50 && !running.stderr().includes('reload failed'); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running.stderr()).toContain(
      `token file ${join(dir, 'b.token')} cannot be read (a FIFO, not a regular file)`,
    );
    const healthy = await request(`${running.url}/-/healthy`, { headersTimeout: 1000 });
    expect(healthy.statusCode).toBe(200);
    await healthy.body.dump();
    const { body } = await request(`${running.url}/metrics`, { headersTimeout: 2000 });
    const text = await body.text();
    expect(sampleValue(text, 'tensorpix_exporter_config_last_reload_successful')).toBe(0);
    expect(sampleValue(text, 'tensorpix_up', { account: 'a' })).toBe(1);
    expect(text).not.toContain('account="b"');
  } finally {
    running.child.kill('SIGKILL');
    await api.close();
  }
});
