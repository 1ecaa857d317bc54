// What the running exporter hands to Node and bcrypt — header names and values, bcrypt
// hashes, API URLs, token file paths — is checked when the configuration is loaded, which
// --config.check, the start and a reload all do: each bad input below is a problem (exit 2
// at check and start, a refused reload), in these exact words, and never a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { hashSync } from 'bcryptjs';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { readRegularFileSync } from '../src/regular-file';
import { looksLikeToken } from '../src/accounts/token-file';
import { createLogger } from '../src/log/logger';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
// A real bcrypt hash of cost 10 from docs/security.md; other costs and versions are made from it.
const HASH_10 = '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze';
const TAIL = HASH_10.slice(7);
const files: Record<string, string> = { '/run/token': `${TOKEN}\n` };

function load(argv: string[], env: Record<string, string> = {}) {
  return loadConfig({
    argv,
    env,
    readFile: (path: string) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    },
  });
}

/** problemsOf loads a configuration and returns its problems ([] when it would run). */
function problemsOf(argv: string[], env: Record<string, string> = {}): string[] {
  const result = load(argv, env);
  return result.kind === 'invalid' ? result.problems : [];
}

function webProblems(yaml: string): string[] {
  files['/etc/tpx/web.yml'] = yaml;
  return problemsOf(['--demo', '--web.config.file=/etc/tpx/web.yml']);
}

const header = (name: string, value: string) => `http_server_config:\n  headers:\n    ${name}: ${value}\n`;
const W = '--web.config.file: http_server_config.headers:';

test.each<[string, string, string[]]>([
  [
    'typographic single quotes in a CSP (a copy-paste)',
    header('Content-Security-Policy', `"default-src ’self’"`),
    [
      `${W} Content-Security-Policy holds U+2019 at character 13, which an HTTP header cannot carry (ERR_INVALID_CHAR), a typographic quote: write ' or " instead`,
    ],
  ],
  [
    'typographic double quotes',
    header('Content-Security-Policy', `'default-src “self”'`),
    [
      `${W} Content-Security-Policy holds U+201C at character 13, which an HTTP header cannot carry (ERR_INVALID_CHAR), a typographic quote: write ' or " instead`,
    ],
  ],
  [
    'CR LF in a value (a header injection)',
    header('Content-Security-Policy', `"default-src 'self'\\r\\nSet-Cookie: a=b"`),
    [
      `${W} Content-Security-Policy holds U+000D at character 19, which an HTTP header cannot carry (ERR_INVALID_CHAR), a line break: give the value on one line`,
    ],
  ],
  [
    'a lone LF',
    header('Strict-Transport-Security', `"max-age=31536000\\n"`),
    [
      `${W} Strict-Transport-Security holds U+000A at character 17, which an HTTP header cannot carry (ERR_INVALID_CHAR), a line break: give the value on one line`,
    ],
  ],
  [
    'a NUL',
    header('X-XSS-Protection', `"1\\0"`),
    [
      `${W} X-XSS-Protection holds U+0000 at character 2, which an HTTP header cannot carry (ERR_INVALID_CHAR)`,
    ],
  ],
  [
    'an emoji (counted as one character)',
    header('Content-Security-Policy', `"🙂 default-src ’self’"`),
    [
      `${W} Content-Security-Policy holds U+1F642 at character 1, which an HTTP header cannot carry (ERR_INVALID_CHAR)`,
    ],
  ],
  [
    'an empty header name',
    header('""', 'x'),
    [`${W} "" is not a valid HTTP header name (ERR_INVALID_HTTP_TOKEN)`],
  ],
  [
    'a space in a name',
    header('"X Frame-Options"', 'deny'),
    [`${W} "X Frame-Options" is not a valid HTTP header name (ERR_INVALID_HTTP_TOKEN)`],
  ],
  [
    'a colon in a name',
    header('"X-Frame-Options:"', 'deny'),
    [`${W} "X-Frame-Options:" is not a valid HTTP header name (ERR_INVALID_HTTP_TOKEN)`],
  ],
  [
    'a line break in a name',
    header('"X-Frame\\nOptions"', 'deny'),
    [`${W} "X-Frame\\nOptions" is not a valid HTTP header name (ERR_INVALID_HTTP_TOKEN)`],
  ],
  [
    'a non-ASCII name',
    header('Contént-Security-Policy', 'x'),
    [`${W} "Contént-Security-Policy" is not a valid HTTP header name (ERR_INVALID_HTTP_TOKEN)`],
  ],
  [
    'a valid name the toolkit does not allow',
    header('Set-Cookie', 'a=b'),
    [
      `${W} Set-Cookie cannot be set (allowed: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security)`,
    ],
  ],
  // Names of Object members are headers like any other (the config property test found __proto__).
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((name): [string, string, string[]] => [
    `the name of an Object member, ${name}`,
    header(name, 'deny'),
    [
      `${W} ${name} cannot be set (allowed: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security)`,
    ],
  ]),
  [
    'a number where text belongs',
    header('X-XSS-Protection', '0'),
    [`${W} X-XSS-Protection must be text (put the value in quotes)`],
  ],
  [
    'a value outside what the toolkit allows',
    header('X-Frame-Options', 'allow-from'),
    [`${W} X-Frame-Options has an invalid value (allowed: deny or sameorigin)`],
  ],
])('web config header: %s → exit 2 naming it', (_name, yaml, expected) => {
  expect(webProblems(yaml)).toEqual(expected);
});

test.each<[string, string]>([
  ['ASCII quotes', header('Content-Security-Policy', `"default-src 'self'"`)],
  ['Latin-1 text, which Node sends as is', header('Content-Security-Policy', `"default-src 'self' café"`)],
  ['a tab', header('Content-Security-Policy', `"default-src\\t'self'"`)],
  ['an empty value (not sent)', header('X-Frame-Options', '""')],
  [
    'every allowed header',
    `http_server_config:\n  headers:\n    X-Frame-Options: SAMEORIGIN\n    X-Content-Type-Options: nosniff\n    X-XSS-Protection: "0"\n    Strict-Transport-Security: max-age=63072000\n`,
  ],
])('web config header: %s is valid', (_name, yaml) => {
  expect(webProblems(yaml)).toEqual([]);
});

const users = (hash: string) => `basic_auth_users:\n  alice: ${JSON.stringify(hash)}\n`;
const B = '--web.config.file: basic_auth_users: the password of alice';
const MAKE = `make it anew with: htpasswd -nBC 10 "" | tr -d ':\\n'`;

test.each<[string, string, string]>([
  [
    'cost 31 (days a check)',
    `$2y$31$${TAIL}`,
    `is a bcrypt hash of cost 31, above 12: a check would take longer than a scrape may; ${MAKE}`,
  ],
  [
    'cost 13',
    `$2b$13$${TAIL}`,
    `is a bcrypt hash of cost 13, above 12: a check would take longer than a scrape may; ${MAKE}`,
  ],
  [
    'cost 99',
    `$2a$99$${TAIL}`,
    `is a bcrypt hash of cost 99, above 12: a check would take longer than a scrape may; ${MAKE}`,
  ],
  ['cost 3', `$2y$03$${TAIL}`, `is a bcrypt hash of cost 3, below 4, which bcrypt refuses; ${MAKE}`],
  ['cost 0', `$2b$00$${TAIL}`, `is a bcrypt hash of cost 0, below 4, which bcrypt refuses; ${MAKE}`],
  [
    'version $2x$',
    `$2x$10$${TAIL}`,
    `is a bcrypt hash of version $2x$, which cannot be checked (only $2a$, $2b$ and $2y$ can); ${MAKE}`,
  ],
  [
    'version $2$',
    `$2$10$${TAIL}`,
    `is a bcrypt hash of version $2$, which cannot be checked (only $2a$, $2b$ and $2y$ can); ${MAKE}`,
  ],
  ['a one-digit cost', `$2y$9$${TAIL}`, 'is not a bcrypt hash'],
  ['one character short', HASH_10.slice(0, -1), 'is not a bcrypt hash'],
  ['one character long', `${HASH_10}A`, 'is not a bcrypt hash'],
  ['a character outside bcrypt base64', `${HASH_10.slice(0, -1)}!`, 'is not a bcrypt hash'],
  ['$1$ (md5-crypt)', `$1$${TAIL}`, 'is not a bcrypt hash'],
  ['a password in clear', 'hunter2', 'is not a bcrypt hash'],
])('basic_auth_users: %s → exit 2, the hash never repeated', (_name, hash, expected) => {
  const problems = webProblems(users(hash));
  expect(problems).toEqual([`${B} ${expected}`]);
  expect(problems.join('\n')).not.toContain(TAIL);
});

test('a user name with a line break is quoted, so the problem stays one line', () => {
  expect(webProblems('basic_auth_users:\n  "al\\nice": x\n')).toEqual([
    '--web.config.file: basic_auth_users: the password of "al\\nice" is not a bcrypt hash',
  ]);
});

test.each(['$2a$04$', '$2b$12$', '$2y$04$', '$2y$12$'])('basic_auth_users: %s… is valid', (prefix) => {
  expect(webProblems(users(`${prefix}${TAIL}`))).toEqual([]);
});

test('every hash the check accepts is one bcryptjs checks without throwing, and matches', () => {
  for (const cost of [4, 5]) {
    for (const version of ['2a', '2b', '2y']) {
      const hash = hashSync('pw', cost).replace(/^\$2[aby]/, `$${version}`);
      expect(webProblems(users(hash))).toEqual([]);
    }
  }
});

const U = 'must be an http:// or https:// URL without credentials, query or fragment';
const api = (url: string) => problemsOf(['--demo', `--tensorpix.api-url=${url}`]);

test.each<[string, string]>([
  ['http://127.0.0.1:8080/?', 'it holds a query ("?")'],
  ['http://127.0.0.1:8080?', 'it holds a query ("?")'],
  ['http://127.0.0.1:8080/base?a=b', 'it holds a query ("?")'],
  ['http://127.0.0.1:8080/#', 'it holds a fragment ("#")'],
  ['http://127.0.0.1:8080/base#top', 'it holds a fragment ("#")'],
  ['http://@127.0.0.1:8080/', 'it holds credentials ("@")'],
  ['http://:@127.0.0.1:8080/', 'it holds credentials ("@")'],
  ['http://user@127.0.0.1:8080/', 'it holds credentials ("@")'],
  ['https://user:secret-pw@backend.example/', 'it holds credentials ("@")'],
  ['http:\\\\user@127.0.0.1/', 'it holds credentials ("@")'],
  ['ftp://127.0.0.1/', 'its scheme is ftp:'],
  ['file:///etc/passwd', 'its scheme is file:'],
  ['ws://127.0.0.1/', 'its scheme is ws:'],
  ['http://127.0.0.1:0/', 'its port is 0, which cannot be connected to'],
  ['http://127.0.0.1:8080/a\tb', 'it holds a space, tab, line break or control character'],
  ['http://127.0.0.1:8080/a b', 'it holds a space, tab, line break or control character'],
  [' http://127.0.0.1:8080/', 'it holds a space, tab, line break or control character'],
  ['http://127.0.0.1:99999/', 'it is not a URL'],
  ['127.0.0.1:8080', 'it is not a URL'],
  ['localhost:8080', 'its scheme is localhost:'],
  ['backend.example', 'it is not a URL'],
  ['', 'it is not a URL'],
])('--tensorpix.api-url=%j → exit 2: %s', (url, reason) => {
  const problems = api(url);
  expect(problems).toEqual([`--tensorpix.api-url ${U}: ${reason}`]);
  if (url.includes('secret-pw')) expect(problems.join('\n')).not.toContain('secret-pw');
});

test.each<[string, string]>([
  ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
  ['https://backend.example/base/', 'https://backend.example/base'],
  ['HTTPS://Backend.Example:443/', 'https://backend.example'],
  ['http://[::1]:8080/', 'http://[::1]:8080'],
])('--tensorpix.api-url=%j runs, as %j', (url, normalised) => {
  const result = load(['--demo', `--tensorpix.api-url=${url}`]);
  expect(result).toMatchObject({ kind: 'run', config: { apiUrl: normalised } });
});

test('an api_url with a query in the accounts file is refused at load, as at a reload', () => {
  files['/etc/tpx/accounts.yml'] =
    'accounts:\n  - {name: a, token_file: /run/token, api_url: "http://127.0.0.1:8080/?"}\n';
  expect(problemsOf(['--config.file=/etc/tpx/accounts.yml'])).toEqual([
    `--config.file: accounts[0].api_url ${U}: it holds a query ("?")`,
  ]);
});

const HIDDEN =
  'cannot be read (ENOENT); its name looks like a token, so it is not repeated: give the path of the file that holds the token';

test.each<[string, string[], Record<string, string>, string]>([
  [
    'a token given to the flag',
    [`--tensorpix.token-file=${TOKEN}`],
    {},
    `the file named by --tensorpix.token-file ${HIDDEN}`,
  ],
  [
    'a token given to the variable',
    [],
    { TENSORPIX_API_TOKEN_FILE: TOKEN },
    `the file named by TENSORPIX_API_TOKEN_FILE ${HIDDEN}`,
  ],
  [
    'a path that is a path',
    ['--tensorpix.token-file=/run/secrets/tensorpix_token'],
    {},
    'token file /run/secrets/tensorpix_token cannot be read (ENOENT)',
  ],
])('token file: %s', (_name, argv, env, expected) => {
  const problems = problemsOf(argv, env);
  expect(problems).toEqual([expected]);
});

test('a token given as an account token_file is not repeated either', () => {
  files['/etc/tpx/accounts.yml'] = `accounts:\n  - {name: a, token_file: ${TOKEN}}\n`;
  const problems = problemsOf(['--config.file=/etc/tpx/accounts.yml']);
  expect(problems).toEqual([
    `--config.file: accounts[0]: the file named by accounts[0].token_file ${HIDDEN}`,
  ]);
  expect(problems.join('\n')).not.toContain(TOKEN);
});

test.each<[string, boolean]>([
  ['/run/secrets/tensorpix_token', false],
  ['/var/run/secrets/kubernetes.io/serviceaccount/token', false],
  ['/etc/tensorpix/..2026_12_06_20_00_00.123456789/token', false],
  ['/etc/tensorpix/prod.token', false],
  ['./token', false],
  ['token.txt', false],
  ['tokens/prod', false],
  ['/run/tensorpix-exporter/api-token', false],
  [TOKEN, true],
  ['tpx_live_AbCdEf0123456789AbCdEf', true],
  ['tpx-secret-value-0042', true],
  ['aGVsbG8gd29y/bGQgdGhpcyBpcyBh+dG9rZW4=', true],
  ['/etc/tensorpix/9f86d081884c7d659a2feaa0c55ad015', true],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh', true],
])('looksLikeToken(%j) is %j', (path, expected) => {
  expect(looksLikeToken(path)).toBe(expected);
});

test('a reload meets the same checks: an api_url with a bare "?" is refused and the running accounts kept', async () => {
  // A reload reads its files itself (off the event loop), so this one has real files.
  const dir = mkdtempSync(join(tmpdir(), 'tpx-reload-checks-'));
  const accountsFile = join(dir, 'accounts.yml');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  writeFileSync(
    accountsFile,
    `accounts:\n  - {name: a, token_file: ${tokenFile}, api_url: "http://127.0.0.1:1"}\n`,
  );
  const loaded = loadConfig({
    argv: [`--config.file=${accountsFile}`],
    env: {},
    readFile: readRegularFileSync,
  });
  if (loaded.kind !== 'run') throw new Error(`expected a configuration, got ${JSON.stringify(loaded)}`);
  const logger = createLogger({
    level: 'error',
    format: 'json',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const app = createApp(loaded.config, { logger, isReady: () => true, reloadSpacingMs: 0 });
  try {
    writeFileSync(
      accountsFile,
      `accounts:\n  - {name: b, token_file: ${tokenFile}, api_url: "http://127.0.0.1:1/?"}\n`,
    );
    const reloaded = await app.reload();
    expect(reloaded).toEqual({
      ok: false,
      problems: [`--config.file: accounts[0].api_url ${U}: it holds a query ("?")`],
    });
    expect(app.accounts.accounts().map((account) => account.name)).toEqual(['a']);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
