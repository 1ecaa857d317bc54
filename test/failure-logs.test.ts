import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConfig } from '../src/config/load-config';
import { readRegularFileSync } from '../src/regular-file';
import { causeOf } from '../src/tensorpix/causes';
import { classifyError } from '../src/tensorpix/classify-error';
import { startExporter, type RunningExporter } from './helpers/child';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { balance, DETAIL, error, startFakeApi, type FakeApi } from './helpers/fake-api';
import { Harness, TOKEN } from './helpers/harness';

// What an operator reads when the API fails: the cause they can act on, the API's host,
// and for a rejected token where the token comes from; never the token or the API's text.
// The faults of the fault matrix check their own words (test/fault-matrix.test.ts).

let dir: string;
let certs: TestCerts;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-failure-logs-'));
  certs = makeTestCerts();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  certs.cleanup();
});

const failureOf = (lines: string[]) =>
  JSON.parse(lines.find((line) => line.includes('balance read failed'))!) as Record<string, unknown>;

describe('a rejected token names where it comes from', () => {
  let api: FakeApi;
  let exporter: RunningExporter | undefined;
  beforeEach(async () => {
    api = await startFakeApi();
  });
  afterEach(async () => {
    exporter?.child.kill('SIGKILL');
    await exporter?.exited;
    exporter = undefined;
    await api.close();
  });

  /** runAgainst starts the real exporter on the fake API and scrapes it once. */
  async function runAgainst(args: string[], env: Record<string, string>): Promise<string[]> {
    exporter = await startExporter([`--tensorpix.api-url=${api.url}/prefix/`, ...args], env);
    await (await request(`${exporter.url}/metrics`)).body.text();
    const stderr = exporter.stderr();
    expect(stderr).not.toContain(TOKEN);
    expect(stderr).not.toContain(DETAIL);
    return stderr.trim().split('\n');
  }

  test('401 with TENSORPIX_API_TOKEN_FILE (its CRLF and blank line trimmed); the start names what is watched', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}\r\n\n`);
    api.reply(error(401));
    const lines = await runAgainst([], { TENSORPIX_API_TOKEN_FILE: file });
    // The start's lines: on a Node.js line past its end of life, a warning comes first.
    expect(JSON.parse(lines.find((line) => line.includes('"msg":"watching account"'))!)).toMatchObject({
      msg: 'watching account',
      account: 'default',
      api_url: `${api.url}/prefix`,
      route: 'direct (no HTTP_PROXY)',
      token_from: `TENSORPIX_API_TOKEN_FILE=${file}`,
    });
    // The path prefix is kept: the request went where the operator said.
    expect(api.requests[0]!.url).toBe('/prefix/api/accounts/profile/balance/');
    // The line ends the file's editors and Windows add are not the token's.
    expect(api.requests[0]!.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(failureOf(lines)).toMatchObject({
      level: 'warn',
      api: new URL(api.url).host,
      err: { code: '401', status: 401 },
      token_from: `TENSORPIX_API_TOKEN_FILE=${file}`,
      msg: `balance read failed: the API rejected the token (HTTP 401: missing, invalid, or replaced by a newer key); the token comes from TENSORPIX_API_TOKEN_FILE=${file}`,
    });
  });

  test('403 with TENSORPIX_API_TOKEN', async () => {
    api.reply(error(403));
    const lines = await runAgainst([], { TENSORPIX_API_TOKEN: TOKEN });
    expect(failureOf(lines)).toMatchObject({
      msg: "balance read failed: the API refused the token (HTTP 403: the account's plan may not include API access); the token comes from TENSORPIX_API_TOKEN",
    });
  });

  test('401 with --tensorpix.token-file', async () => {
    const file = join(dir, 'flag-token');
    writeFileSync(file, TOKEN);
    api.reply(error(401));
    const lines = await runAgainst([`--tensorpix.token-file=${file}`], {});
    expect(failureOf(lines)).toMatchObject({ token_from: `--tensorpix.token-file=${file}` });
  });
});

test('401 for an account of --config.file names its token_file and the file', async () => {
  const accounts = join(dir, 'accounts.yml');
  writeFileSync(join(dir, 'prod.token'), TOKEN);
  const h = await Harness.start({
    accounts: (api) => {
      writeFileSync(accounts, `api_url: ${api.url}\naccounts:\n  - name: prod\n    token_file: prod.token\n`);
      const loaded = loadConfig({
        argv: [`--config.file=${accounts}`],
        env: {},
        readFile: readRegularFileSync,
      });
      if (loaded.kind !== 'run') throw new Error(JSON.stringify(loaded));
      return loaded.config.accounts;
    },
  });
  try {
    h.upstream.reply(error(401));
    await h.scrape();
    expect(failureOf(h.logLines)).toMatchObject({
      account: 'prod',
      token_from: `token_file ${join(dir, 'prod.token')} in ${accounts}`,
    });
  } finally {
    await h.close();
  }
});

test('an expired certificate, its CA trusted → tls, said to be expired', async () => {
  const server: Server = createServer(
    { cert: certs.expired.cert, key: certs.expired.key },
    balance('1.0000'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = await Harness.start({
    caCert: certs.ca.cert,
    accounts: () => [{ name: 'default', apiUrl: url, token: { kind: 'value', value: TOKEN } }],
  });
  try {
    const text = await h.scrape();
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'tls' })).toBe(1);
    expect(failureOf(h.logLines)).toMatchObject({
      api: new URL(url).host,
      msg: 'balance read failed: TLS: certificate expired (CERT_HAS_EXPIRED)',
    });
  } finally {
    await h.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

// Causes no fault on 127.0.0.1 can produce, as Node and undici raise them (wrapped as undici wraps).
test.each<[string, unknown, string, string]>([
  [
    'a resolver that does not answer',
    { code: 'EAI_AGAIN' },
    'network',
    'DNS lookup failed for now (EAI_AGAIN; is a resolver reachable?)',
  ],
  ['no route', { code: 'EHOSTUNREACH' }, 'network', 'host unreachable (EHOSTUNREACH)'],
  ['a TCP timeout', { code: 'ETIMEDOUT' }, 'timeout', 'connection timed out (ETIMEDOUT)'],
  [
    "undici's connect timeout",
    { code: 'UND_ERR_CONNECT_TIMEOUT' },
    'timeout',
    'timeout while connecting (UND_ERR_CONNECT_TIMEOUT)',
  ],
  [
    'a clock behind',
    { code: 'CERT_NOT_YET_VALID' },
    'tls',
    "TLS: certificate not yet valid (CERT_NOT_YET_VALID; is this machine's clock right?)",
  ],
  [
    'https:// to a plain port',
    { code: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    'tls',
    'TLS: the server does not speak TLS there (ERR_SSL_WRONG_VERSION_NUMBER; an http:// API?)',
  ],
  [
    'an unknown chain',
    { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    'tls',
    'TLS: certificate not trusted (UNABLE_TO_GET_ISSUER_CERT_LOCALLY; trust its CA with --tensorpix.ca-file)',
  ],
  ['a code without words', { code: 'EWHATEVER' }, 'network', 'request failed (EWHATEVER)'],
  ['no code at all', new TypeError('x'), 'network', 'request failed (TypeError)'],
])('%s: %j → %s, "%s"', (_name, cause, code, words) => {
  const wrapped = new Error('request failed', { cause });
  const classified = classifyError(cause instanceof Error ? cause : wrapped, false);
  expect({ code: classified.code, message: classified.message }).toEqual({ code, message: words });
});

test('causeOf: the innermost code with words wins over the wrapper', () => {
  expect(causeOf(['UND_ERR_SOCKET', 'ECONNRESET'], 'Error')).toBe('connection reset (ECONNRESET)');
  expect(causeOf(['UND_ERR_SOCKET', 'EWHATEVER'], 'Error')).toBe(
    'connection closed before the answer was complete (UND_ERR_SOCKET)',
  );
});
