import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { request } from 'undici';
import { sampleValue } from './helpers/exposition';
import { spawn } from 'node:child_process';
import { MAIN, runToExit, startExporter, type RunningExporter } from './helpers/child';

const SECRET = 'tpx-process-secret-77';
let running: RunningExporter | undefined;
afterEach(async () => {
  running?.child.kill('SIGKILL');
  await running?.exited;
  running = undefined;
});

test('--demo serves the demo balance and tensorpix_up 1 within 2 s of start', async () => {
  const started = Date.now();
  running = await startExporter(['--demo']);
  const { body } = await request(`${running.url}/metrics`);
  const text = await body.text();
  expect(Date.now() - started).toBeLessThan(2000);
  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'demo' })).toBeGreaterThan(0);
  expect(sampleValue(text, 'tensorpix_up', { account: 'demo' })).toBe(1);
  expect(text).toContain('process_resident_memory_bytes');
});

test('a bad configuration exits 2 before listening, one line per problem, never the token', async () => {
  const { code, stdout, stderr } = await runToExit(
    ['--cache.ttl=soon', '--web.listen-address=127.0.0.1:0', SECRET],
    {
      TENSORPIX_API_TOKEN: `${SECRET} with spaces`,
    },
  );
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trim().split('\n')).toEqual([
    'tensorpix-exporter: unexpected argument at position 3: flags take the form --name=value or --name value',
    'tensorpix-exporter: --cache.ttl must be a duration such as 500ms, 30s, 5m or 1h, not "soon"',
    'tensorpix-exporter: TENSORPIX_API_TOKEN holds characters a token cannot have (whitespace, control or non-ASCII) or is over 4096 bytes',
  ]);
  expect(stderr).not.toContain(SECRET);
});

test("Go's one-dash flag is one line that names the two-dash flag, exit 2", async () => {
  const { code, stdout, stderr } = await runToExit(['-web.listen-address=:10864', '--demo']);
  expect({ code, stdout, stderr }).toEqual({
    code: 2,
    stdout: '',
    stderr:
      'tensorpix-exporter: unknown flag -web.listen-address (flags take two dashes: --web.listen-address)\n',
  });
});

test('--version and --help print and exit 0; --config.check validates without listening', async () => {
  const version = await runToExit(['--version']);
  expect(version.code).toBe(0);
  expect(version.stdout).toMatch(/^tensorpix-exporter, version \d+\.\d+\.\d+/);
  const help = await runToExit(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--cache.max-stale');
  expect(help.stdout).toContain('TENSORPIX_EXPORTER_CACHE_MAX_STALE');
  const check = await runToExit(['--config.check', '--demo']);
  expect(check).toMatchObject({
    code: 0,
    stdout: [
      'tensorpix-exporter: configuration is valid (checked: flags and environment)',
      'tensorpix-exporter: nothing left to check: --demo needs no token and no API',
      'tensorpix-exporter: not checked: whether :10863 can be listened on (an address of this machine, a port free); only the start can say',
      '',
    ].join('\n'),
  });
});

test('--config.check reads the web config and token files and names every problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-check-'));
  try {
    writeFileSync(
      join(dir, 'web.yml'),
      'basic_auth_users:\n  alice: plain-text\ntls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n',
    );
    writeFileSync(join(dir, 'token'), '\n');
    const bad = await runToExit([
      '--config.check',
      `--web.config.file=${join(dir, 'web.yml')}`,
      `--tensorpix.token-file=${join(dir, 'token')}`,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      `tensorpix-exporter: --web.config.file: tls_server_config.cert_file: cannot read ${join(dir, 'missing.crt')} (ENOENT)`,
      `tensorpix-exporter: --web.config.file: tls_server_config.key_file: cannot read ${join(dir, 'missing.key')} (ENOENT)`,
      'tensorpix-exporter: --web.config.file: basic_auth_users: the password of alice is not a bcrypt hash',
      `tensorpix-exporter: token file ${join(dir, 'token')} is empty`,
    ]);
    writeFileSync(join(dir, 'web.yml'), 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n');
    writeFileSync(join(dir, 'token'), 'a-token\n');
    const good = await runToExit([
      '--config.check',
      `--web.config.file=${join(dir, 'web.yml')}`,
      `--tensorpix.token-file=${join(dir, 'token')}`,
    ]);
    expect(good).toMatchObject({
      code: 0,
      stdout: [
        'tensorpix-exporter: configuration is valid (checked: flags and environment, token file readable, token well-formed, web config file)',
        `tensorpix-exporter: account default: API https://backend.tensorpix.ai, direct (no HTTPS_PROXY), token from --tensorpix.token-file=${join(dir, 'token')}`,
        'tensorpix-exporter: not checked: whether the API accepts the token and can be reached; only the API can say (add --config.check.api to ask it once per account)',
        'tensorpix-exporter: not checked: whether :10863 can be listened on (an address of this machine, a port free); only the start can say',
        '',
      ].join('\n'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--web.config.file protects the running exporter with basic auth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-web-'));
  try {
    // bcrypt hash of "secret" at cost 4.
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  prometheus: ${hashSync('secret', 4)}\n`);
    running = await startExporter(['--demo', `--web.config.file=${join(dir, 'web.yml')}`]);
    const denied = await request(`${running.url}/metrics`);
    await denied.body.dump();
    expect(denied.statusCode).toBe(401);
    const allowed = await request(`${running.url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from('prometheus:secret').toString('base64')}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(await allowed.body.text()).toContain('tensorpix_up{account="demo"} 1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('durations out of range exit 2 naming the range, with and without --config.check', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-ranges-'));
  try {
    for (const check of [[], ['--config.check']]) {
      const flags = await runToExit(['--demo', '--tensorpix.timeout=60d', ...check]);
      expect(flags).toMatchObject({ code: 2, stdout: '' });
      expect(flags.stderr.trim().split('\n')).toEqual([
        'tensorpix-exporter: --tensorpix.timeout must be from 10ms to 5m, not "60d"',
      ]);
    }
    writeFileSync(join(dir, 'a.token'), 'a-token\n');
    writeFileSync(
      join(dir, 'accounts.yml'),
      'timeout: 1000d\naccounts:\n  - {name: a, token_file: a.token}\n',
    );
    const file = await runToExit([`--config.file=${join(dir, 'accounts.yml')}`, '--config.check']);
    expect(file).toMatchObject({
      code: 2,
      stderr: 'tensorpix-exporter: --config.file: timeout must be from 10ms to 5m, not "1000d"\n',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a SIGHUP while the exporter still loads is held and applied once it listens, not the end of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-early-hup-'));
  try {
    writeFileSync(join(dir, 'a.token'), 'a-token\n');
    // Many accounts make the load long enough to signal in the middle of it.
    const accounts = Array.from({ length: 3000 }, (_, i) => `  - {name: a${i}, token_file: a.token}`);
    writeFileSync(
      join(dir, 'accounts.yml'),
      `api_url: http://127.0.0.1:9\naccounts:\n${accounts.join('\n')}\n`,
    );
    const child = spawn(
      process.execPath,
      [MAIN, '--web.listen-address=127.0.0.1:0', `--config.file=${join(dir, 'accounts.yml')}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<unknown>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    // As soon as the process catches SIGHUP (its first line runs; Node's own start-up before
    // it cannot be covered), while it is still loading: nothing is listening yet.
    const catchesHangup = () =>
      (BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]}`) &
        1n) ===
      1n;
    for (let i = 0; i < 400 && !catchesHangup(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(log).not.toContain('"msg":"listening"');
    child.kill('SIGHUP');
    for (let i = 0; i < 200 && !log.includes('configuration reloaded'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(child.exitCode).toBeNull();
    expect(log).toContain('"msg":"listening"');
    expect(log.match(/configuration reloaded/g)).toHaveLength(1);
    expect(log.indexOf('configuration reloaded')).toBeGreaterThan(log.indexOf('"msg":"listening"'));
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
