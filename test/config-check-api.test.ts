import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToExit } from './helpers/child';
import { balance, byToken, DETAIL, error, hang, startFakeApi, type FakeApi } from './helpers/fake-api';

// --config.check.api asks the API once per account, as the exporter would, and says each
// outcome; exit 0 only when every account answered with a balance. Never the token.
const TOKENS = { good: 'tpx-good-5b1e', revoked: 'tpx-revoked-77c0', slow: 'tpx-slow-19d4' };

let api: FakeApi;
let dir: string;
beforeAll(async () => {
  api = await startFakeApi();
  api.reply(
    byToken({ [TOKENS.good]: balance('12.3400'), [TOKENS.revoked]: error(401), [TOKENS.slow]: hang }),
  );
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-check-api-'));
  for (const [name, token] of Object.entries(TOKENS)) writeFileSync(join(dir, `${name}.token`), `${token}\n`);
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const expectNoSecret = (text: string) => {
  for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
  expect(text).not.toContain(DETAIL);
};

test('ok, 401 and a hang: each account its line, exit 1, within the slow account timeout', async () => {
  const accounts = join(dir, 'accounts.yml');
  writeFileSync(
    accounts,
    [
      `api_url: ${api.url}`,
      'accounts:',
      '  - {name: good, token_file: good.token}',
      '  - {name: revoked, token_file: revoked.token}',
      '  - {name: slow, token_file: slow.token, timeout: 300ms}',
      '',
    ].join('\n'),
  );
  const started = Date.now();
  const { code, stdout, stderr } = await runToExit([`--config.file=${accounts}`, '--config.check.api']);
  expect(Date.now() - started).toBeLessThan(2500);
  const from = (name: string) => `token_file ${join(dir, `${name}.token`)} in ${accounts}`;
  const lines = stdout
    .replace(/in \d+ ms/, 'in N ms')
    .trimEnd()
    .split('\n');
  expect({ code, stderr, lines }).toEqual({
    code: 1,
    stderr: '',
    lines: [
      `tensorpix-exporter: configuration is valid (checked: flags and environment, accounts file ${accounts}, 3 token files readable, 3 tokens well-formed)`,
      ...['good', 'revoked', 'slow'].map(
        (name) =>
          `tensorpix-exporter: account ${name}: API ${api.url}, direct (no HTTP_PROXY), token from ${from(name)}`,
      ),
      'tensorpix-exporter: not checked: whether :10863 can be listened on (an address of this machine, a port free); only the start can say',
      'tensorpix-exporter: account good: ok, balance 12.34 USD in N ms',
      `tensorpix-exporter: account revoked: failed, code 401: the API rejected the token (HTTP 401: missing, invalid, or replaced by a newer key); the token comes from ${from('revoked')}`,
      'tensorpix-exporter: account slow: failed, code timeout: timeout after 300 ms connecting to the API or waiting for its answer',
      'tensorpix-exporter: API check: 1 of 3 accounts answered with a balance',
    ],
  });
  expectNoSecret(stdout + stderr);
});

test('every account answers: exit 0; one request each, with the token, to the path under the prefix', async () => {
  const before = api.requests.length;
  const { code, stdout } = await runToExit(['--config.check.api', `--tensorpix.api-url=${api.url}/gateway`], {
    TENSORPIX_API_TOKEN: TOKENS.good,
  });
  expect(code).toBe(0);
  expect(stdout).toMatch(/account default: ok, balance 12\.34 USD in \d+ ms\n/);
  expect(stdout).toMatch(/API check: 1 of 1 account answered with a balance\n$/);
  // The API was asked: only the listen address is left unchecked.
  expect(stdout).not.toContain('whether the API accepts');
  expect(stdout).toContain('not checked: whether :10863 can be listened on');
  expect(api.requests.slice(before)).toMatchObject([
    { url: '/gateway/api/accounts/profile/balance/', headers: { authorization: `Token ${TOKENS.good}` } },
  ]);
  expectNoSecret(stdout);
});

test('a bad configuration exits 2 before asking the API', async () => {
  const before = api.requests.length;
  const { code, stdout, stderr } = await runToExit(['--config.check.api', '--cache.ttl=soon'], {
    TENSORPIX_API_TOKEN: TOKENS.good,
  });
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  expect(stderr).toContain('--cache.ttl must be a duration');
  expect(api.requests.length).toBe(before);
});

test('--config.check alone sends nothing and says what it did not check', async () => {
  const before = api.requests.length;
  const { code, stdout } = await runToExit(['--config.check', `--tensorpix.api-url=${api.url}`], {
    TENSORPIX_API_TOKEN: TOKENS.revoked,
  });
  expect(code).toBe(0);
  expect(stdout).toContain(
    'not checked: whether the API accepts the token and can be reached; only the API can say (add --config.check.api to ask it once per account)',
  );
  expect(api.requests.length).toBe(before);
});
