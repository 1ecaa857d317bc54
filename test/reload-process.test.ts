import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startExporter, type RunningExporter } from './helpers/child';
import { after, balance, byToken, startFakeApi, type FakeApi } from './helpers/fake-api';
import { sampleValue } from './helpers/exposition';

let dir: string;
let upstream: FakeApi;
let running: RunningExporter;

const accountsYaml = (names: string[]) =>
  `api_url: ${upstream.url}\naccounts:\n${names.map((name) => `  - name: ${name}\n    token_file: ${name}.token\n`).join('')}`;

async function metrics(headers: Record<string, string> = {}): Promise<string> {
  const { body } = await request(`${running.url}/metrics`, { headers });
  return body.text();
}

/** until polls the metrics until `check` holds, for at most 5 s. */
async function until(check: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const text = await metrics();
    if (check(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met; last metrics:\n${await metrics()}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-reload-'));
  upstream = await startFakeApi();
  upstream.reply(balance('7.0000'));
  for (const name of ['alpha', 'beta', 'gamma']) writeFileSync(join(dir, `${name}.token`), `token-${name}\n`);
  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha', 'beta']));
  running = await startExporter([`--config.file=${join(dir, 'accounts.yml')}`, '--web.enable-lifecycle']);
});

afterAll(async () => {
  running?.child.kill('SIGKILL');
  await running?.exited;
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

test('SIGHUP applies a changed account list; POST /-/reload rejects a bad one whole and keeps the running one', async () => {
  const first = await metrics();
  expect(sampleValue(first, 'tensorpix_credits_balance_usd', { account: 'alpha' })).toBe(7);
  expect(sampleValue(first, 'tensorpix_credits_balance_usd', { account: 'beta' })).toBe(7);
  expect(sampleValue(first, 'tensorpix_exporter_config_last_reload_successful')).toBe(1);
  const requestsBefore = upstream.requests.length;

  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha', 'gamma']));
  running.child.kill('SIGHUP');
  // A scrape renders on the turn after it arrived (scrapes of one turn share the render): one
  // that arrived just before the SIGHUP may show gamma not yet read (tensorpix_up 0, no
  // balance), which is its state; the next one reads it.
  const reloaded = await until(
    (text) => sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'gamma' }) !== undefined,
  );
  expect(reloaded).not.toContain('account="beta"');
  expect(sampleValue(reloaded, 'tensorpix_credits_balance_usd', { account: 'gamma' })).toBe(7);
  // alpha was unchanged: it kept its cache, so only gamma reached the upstream.
  expect(upstream.requests.slice(requestsBefore).map((r) => r.headers.authorization)).toEqual([
    'Token token-gamma',
  ]);

  writeFileSync(
    join(dir, 'accounts.yml'),
    'accounts:\n  - name: alpha\n    token_file: missing.token\n  - name: bad name\n',
  );
  const rejected = await request(`${running.url}/-/reload`, { method: 'POST' });
  const answer = await rejected.body.text();
  expect(rejected.statusCode).toBe(500);
  expect(answer).toContain(`token file ${join(dir, 'missing.token')} cannot be read (ENOENT)`);
  expect(answer).toContain('accounts[1].name must be');
  const kept = await metrics();
  expect(sampleValue(kept, 'tensorpix_exporter_config_last_reload_successful')).toBe(0);
  expect(sampleValue(kept, 'tensorpix_credits_balance_usd', { account: 'alpha' })).toBe(7);
  expect(sampleValue(kept, 'tensorpix_credits_balance_usd', { account: 'gamma' })).toBe(7);
  expect(running.stderr()).toContain('reload failed, the running configuration is kept');

  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha']));
  const accepted = await request(`${running.url}/-/reload`, { method: 'POST' });
  expect(accepted.statusCode).toBe(200);
  await accepted.body.dump();
  const final = await metrics();
  expect(sampleValue(final, 'tensorpix_exporter_config_last_reload_successful')).toBe(1);
  expect(final).not.toContain('account="gamma"');
});

test('an account removed by SIGHUP while its request is in flight leaves no series behind; re-added, it starts from 0', async () => {
  running.child.kill('SIGKILL');
  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha', 'beta', 'gamma']));
  upstream.reply(byToken({ 'token-gamma': after(1500, balance('9.0000')) }, balance('7.0000')));
  running = await startExporter([`--config.file=${join(dir, 'accounts.yml')}`, '--tensorpix.timeout=3s']);
  // A short scrape answers while gamma's request is still in flight.
  const early = await metrics({ 'X-Prometheus-Scrape-Timeout-Seconds': '0.7' });
  expect(sampleValue(early, 'tensorpix_up', { account: 'alpha' })).toBe(1);
  expect(sampleValue(early, 'tensorpix_up', { account: 'gamma' })).toBe(0);
  expect(upstream.inFlight()).toBe(1);

  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha', 'beta']));
  running.child.kill('SIGHUP');
  await until((text) => !text.includes('account="gamma"'));
  // Let the removed account's request end, then look again, several times.
  for (let i = 0; i < 40 && upstream.inFlight() > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 3; i++) expect(await metrics()).not.toContain('account="gamma"');

  upstream.reply(balance('7.0000'));
  writeFileSync(join(dir, 'accounts.yml'), accountsYaml(['alpha', 'beta', 'gamma']));
  running.child.kill('SIGHUP');
  const readded = await until((text) => sampleValue(text, 'tensorpix_up', { account: 'gamma' }) === 1);
  const gamma = (name: string, labels: Record<string, string> = {}) =>
    sampleValue(readded, name, { account: 'gamma', ...labels });
  expect(gamma('tensorpix_upstream_requests_total')).toBe(1);
  expect(gamma('tensorpix_upstream_request_duration_seconds_count')).toBe(1);
  expect(gamma('tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(0);
  expect(gamma('tensorpix_credits_spent_usd_total')).toBe(0);
  expect(gamma('tensorpix_credits_balance_usd')).toBe(7);
});
