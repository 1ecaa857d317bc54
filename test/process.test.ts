import { Agent, request } from 'undici';
import { sampleValue } from './helpers/exposition';
import { runToExit, startExporter, type RunningExporter } from './helpers/child';

const SECRET = 'tpx-process-secret-77';
let running: RunningExporter | undefined;
afterEach(() => {
  running?.child.kill('SIGKILL');
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

test('SIGTERM with an idle keep-alive connection open exits 0 in under 2 s', async () => {
  running = await startExporter(['--demo']);
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const response = await request(`${running.url}/-/healthy`, { dispatcher: agent });
  await response.body.text();
  expect(response.headers.connection).not.toBe('close');
  const signalledAt = Date.now();
  running.child.kill('SIGTERM');
  const { code, signal, atMs } = await running.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(atMs - signalledAt).toBeLessThan(2000);
  await agent.close();
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
    'tensorpix-exporter: unexpected argument at position 3; flags take the form --name=value',
    'tensorpix-exporter: --cache.ttl must be a duration such as 500ms, 30s, 5m or 1h, not "soon"',
    'tensorpix-exporter: TENSORPIX_API_TOKEN holds characters a token cannot have (whitespace, control or non-ASCII) or is over 4096 bytes',
  ]);
  expect(stderr).not.toContain(SECRET);
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
  expect(check).toMatchObject({ code: 0, stdout: 'tensorpix-exporter: configuration is valid\n' });
});
