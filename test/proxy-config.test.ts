import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { readAccountsFile } from '../src/config/accounts-file';
import { loadConfig } from '../src/config/load-config';
import { NoProxy, readProxyEnv } from '../src/config/proxy-env';
import { routeFor, type ProxySetting } from '../src/config/proxy-settings';
import { parseProxyUrl, readProxyCredentialsFile } from '../src/config/proxy-url';
import { runToExit } from './helpers/child';
import { Harness } from './helpers/harness';

const SECRET = 'pr0xy-s3cret';
const API = 'https://backend.tensorpix.ai';

describe('parseProxyUrl reads what Go exporters read', () => {
  test.each<[string, object]>([
    ['proxy.corp:3128', { origin: 'http://proxy.corp:3128', host: 'proxy.corp:3128' }],
    ['proxy.corp', { origin: 'http://proxy.corp:80', host: 'proxy.corp:80' }],
    ['http://proxy.corp', { origin: 'http://proxy.corp:80' }],
    ['https://proxy.corp', { origin: 'https://proxy.corp:443', host: 'proxy.corp:443' }],
    ['http://proxy.corp:3128/', { origin: 'http://proxy.corp:3128' }],
    ['  HTTP://Proxy.CORP:3128  ', { origin: 'http://proxy.corp:3128' }],
    ['http://[::1]:3128', { origin: 'http://[::1]:3128', host: '[::1]:3128' }],
    ['[fd00::1]:3128', { origin: 'http://[fd00::1]:3128' }],
    ['http://10.0.0.1:3128', { host: '10.0.0.1:3128' }],
    ['http://user:p%40ss%3Aword@proxy:3128', { username: 'user', password: 'p@ss:word', host: 'proxy:3128' }],
    // An unencoded @ or : in the password still parses (the last @ ends the credentials).
    [
      'http://user:p@ss:word@proxy:3128',
      { username: 'user', password: 'p@ss:word', origin: 'http://proxy:3128' },
    ],
    ['http://user@proxy:3128', { username: 'user', password: '' }],
  ])('%s', (text, expected) => {
    const parsed = parseProxyUrl(text);
    expect(parsed).toMatchObject({ ok: true, value: expected });
    // Credentials never stay in what is shown or handed to undici as the proxy's address.
    if (parsed.ok) expect(parsed.value.origin).not.toMatch(/@|user/);
  });

  test.each([
    ['socks5://proxy:1080', 'SOCKS'],
    ['socks5h://proxy:1080', 'SOCKS'],
    ['socks://proxy:1080', 'SOCKS'],
    ['ftp://proxy:21', 'http:// or https://'],
    ['http://proxy:0', 'from 1 to 65535'],
    ['http://proxy:65536', 'from 1 to 65535'],
    ['http://proxy:3128/path', 'no path'],
    ['http://proxy:3128/?x=1', 'no path'],
    ['http://proxy:3128#frag', 'no path'],
    // An empty query or fragment leaves URL's search and hash empty: the text itself tells.
    ['http://proxy:3128/?', 'no path'],
    ['http://proxy:3128?', 'no path'],
    ['http://proxy:3128#', 'no path'],
    ['proxy:3128?', 'no path'],
    ['http://', 'a host'],
    ['http://::1:3128', 'a host'],
    ['', 'a host'],
    [`http://user:${SECRET}%ZZ@proxy:3128`, 'percent-encoding'],
  ])('%s is refused', (text, why) => {
    const parsed = parseProxyUrl(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join()).toContain(why);
    expect(parsed.problems.join()).not.toContain(SECRET);
  });
});

describe('NO_PROXY, in the forms Go reads', () => {
  test.each<[string, string, string, boolean]>([
    ['*', 'backend.tensorpix.ai', '443', true],
    ['tensorpix.ai', 'backend.tensorpix.ai', '443', true],
    ['tensorpix.ai', 'tensorpix.ai', '443', true],
    ['tensorpix.ai', 'nottensorpix.ai', '443', false],
    ['.tensorpix.ai', 'backend.tensorpix.ai', '443', true],
    ['.tensorpix.ai', 'tensorpix.ai', '443', false],
    ['*.tensorpix.ai', 'backend.tensorpix.ai', '443', true],
    ['*.tensorpix.ai', 'tensorpix.ai', '443', false],
    ['tensorpix.ai:443', 'backend.tensorpix.ai', '443', true],
    ['tensorpix.ai:8443', 'backend.tensorpix.ai', '443', false],
    [' Backend.TensorPix.AI ', 'backend.tensorpix.ai', '443', true],
    ['other.example, ,tensorpix.ai', 'backend.tensorpix.ai', '443', true],
    ['10.0.0.0/8', '10.1.2.3', '443', true],
    ['10.0.0.0/8', '11.1.2.3', '443', false],
    ['10.1.2.3', '10.1.2.3', '443', true],
    ['10.1.2.3:8443', '10.1.2.3', '443', false],
    ['10.1.2.3:443', '10.1.2.3', '443', true],
    ['::1', '[::1]', '443', true],
    ['[fd00::1]:443', '[fd00::1]', '443', true],
    ['fd00::/8', '[fd12::5]', '443', true],
    ['fd00::/8', '10.0.0.1', '443', false],
    ['10.0.0.0/8', 'ten.example', '443', false],
    ['bücher.example', 'xn--bcher-kva.example', '443', true],
    // Entries it cannot read are skipped, never an error: the variable is shared with other programs.
    ['10.0.0.0/33,*foo*,:443,a/b', 'backend.tensorpix.ai', '443', false],
    ['', 'backend.tensorpix.ai', '443', false],
  ])('NO_PROXY=%j, host %s port %s → direct: %s', (text, host, port, expected) => {
    expect(new NoProxy(text).matches(host, port)).toBe(expected);
  });
});

test('the proxy variables: upper case first, an empty one counts as unset', () => {
  expect(readProxyEnv({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }).https).toEqual({
    name: 'HTTPS_PROXY',
    value: 'http://upper:1',
  });
  expect(readProxyEnv({ HTTPS_PROXY: ' ', https_proxy: 'http://lower:1' }).https?.name).toBe('https_proxy');
  expect(readProxyEnv({ no_proxy: 'x', NO_PROXY: '' }).noProxy?.name).toBe('no_proxy');
  expect(readProxyEnv({ ALL_PROXY: 'http://all:1', HTTP_PROXY: '' })).toEqual({});
});

describe('routeFor decides each route, and why', () => {
  const flag = (url: string): ProxySetting => {
    const parsed = parseProxyUrl(url);
    if (!parsed.ok) throw new Error('bad test URL');
    return { explicit: { url: parsed.value, source: '--tensorpix.proxy-url' } };
  };
  const route = (apiUrl: string, setting: ProxySetting, env: Record<string, string>) =>
    routeFor(apiUrl, setting, readProxyEnv(env));

  test.each<[string, string, ProxySetting, Record<string, string>, object]>([
    ['no proxy anywhere', API, {}, {}, { kind: 'direct', reason: 'no HTTPS_PROXY' }],
    [
      'HTTP_PROXY does not serve https',
      API,
      {},
      { http_proxy: 'proxy:3128' },
      { kind: 'direct', reason: 'no HTTPS_PROXY; http_proxy serves http:// APIs only' },
    ],
    [
      'HTTPS_PROXY for an https API',
      API,
      {},
      { HTTPS_PROXY: 'proxy:3128' },
      { kind: 'proxy', origin: 'http://proxy:3128', host: 'proxy:3128', source: 'HTTPS_PROXY' },
    ],
    [
      'HTTP_PROXY for an http API',
      'http://api.internal:8080',
      {},
      { HTTP_PROXY: 'proxy:3128', HTTPS_PROXY: 'other:3128' },
      { kind: 'proxy', origin: 'http://proxy:3128', source: 'HTTP_PROXY' },
    ],
    [
      'a loopback API, never from the environment',
      'https://127.0.0.1:8443',
      {},
      { HTTPS_PROXY: 'proxy:3128' },
      { kind: 'direct', reason: 'loopback API, not proxied from HTTPS_PROXY' },
    ],
    ['localhost likewise', 'https://localhost:8443', {}, { HTTPS_PROXY: 'proxy:3128' }, { kind: 'direct' }],
    [
      'a loopback API through a proxy set by flag',
      'https://127.0.0.1:8443',
      flag('http://proxy:3128'),
      {},
      { kind: 'proxy', source: '--tensorpix.proxy-url' },
    ],
    [
      'the flag over the environment',
      API,
      flag('http://flag:3128'),
      { HTTPS_PROXY: 'env:3128' },
      { host: 'flag:3128' },
    ],
    [
      'the flag set empty',
      API,
      { explicit: { source: '--tensorpix.proxy-url' } },
      { HTTPS_PROXY: 'env:3128' },
      { kind: 'direct', reason: '--tensorpix.proxy-url is empty' },
    ],
    [
      'NO_PROXY also over a proxy set by flag',
      API,
      flag('http://proxy:3128'),
      { NO_PROXY: '.tensorpix.ai' },
      { kind: 'direct', reason: 'NO_PROXY' },
    ],
    [
      'a bad HTTPS_PROXY that NO_PROXY makes unused',
      API,
      {},
      { HTTPS_PROXY: 'socks5://x', NO_PROXY: '*' },
      { kind: 'direct', reason: 'NO_PROXY' },
    ],
    [
      'credentials from the URL',
      API,
      {},
      { HTTPS_PROXY: `http://me:${SECRET}@proxy:3128` },
      {
        origin: 'http://proxy:3128',
        authorization: `Basic ${Buffer.from(`me:${SECRET}`).toString('base64')}`,
        credentialsFrom: 'the URL',
      },
    ],
    [
      'credentials from a file, for the environment proxy',
      API,
      { credentials: { value: { username: 'me', password: SECRET }, source: '/etc/proxy-creds' } },
      { HTTPS_PROXY: 'proxy:3128' },
      { credentialsFrom: '/etc/proxy-creds', authorization: expect.stringMatching(/^Basic /) },
    ],
  ])('%s', (_title, apiUrl, setting, env, expected) => {
    expect(route(apiUrl, setting, env)).toEqual({ ok: true, value: expect.objectContaining(expected) });
  });

  test('problems name the variable or the sources, never a password', () => {
    const bad = route(API, {}, { https_proxy: `socks5://me:${SECRET}@proxy:1080` });
    expect(bad).toEqual({ ok: false, problems: [expect.stringMatching(/^https_proxy names a SOCKS proxy/)] });
    const twice = route(
      API,
      { credentials: { value: { username: 'me', password: 'x' }, source: '/etc/proxy-creds' } },
      { HTTPS_PROXY: `http://me:${SECRET}@proxy:3128` },
    );
    expect(twice).toEqual({
      ok: false,
      problems: ['proxy credentials are given twice: in the URL of HTTPS_PROXY and in /etc/proxy-creds'],
    });
    const empty = route(API, {}, { HTTPS_PROXY: `http://:${SECRET}@proxy:3128` });
    expect(empty).toEqual({
      ok: false,
      problems: ['the credentials in the URL of HTTPS_PROXY has an empty user name'],
    });
  });
});

describe('the credentials file', () => {
  const reader = (files: Record<string, string>) => (path: string) => {
    if (path in files) return files[path]!;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  };
  test.each<[string, object]>([
    ['me:' + SECRET + '\n', { ok: true, value: { username: 'me', password: SECRET } }],
    ['me:a:b@c\r\n', { ok: true, value: { username: 'me', password: 'a:b@c' } }],
    ['me:\n', { ok: true, value: { username: 'me', password: '' } }],
    [SECRET, { ok: false, problems: ['proxy credentials file /c must hold user:password on one line'] }],
    [':' + SECRET, { ok: false, problems: ['proxy credentials file /c has an empty user name'] }],
    ['me:a\nb', { ok: false, problems: ['proxy credentials file /c holds control characters'] }],
    [
      '\uFEFFme:' + SECRET,
      {
        ok: false,
        problems: [
          'proxy credentials file /c starts with a byte-order mark (U+FEFF), which would be sent as part of the user name: save it without one',
        ],
      },
    ],
    // Elsewhere it is a character like another (user names may be any UTF-8).
    ['me:\uFEFF' + SECRET, { ok: true, value: { username: 'me', password: '\uFEFF' + SECRET } }],
  ])('%j', (text, expected) => {
    expect(readProxyCredentialsFile('/c', reader({ '/c': text }))).toEqual(expected);
  });
  test('a missing file', () => {
    expect(readProxyCredentialsFile('/nope', reader({}))).toEqual({
      ok: false,
      problems: ['proxy credentials file /nope cannot be read (ENOENT)'],
    });
  });
});

describe('loadConfig', () => {
  const files: Record<string, string> = { '/etc/creds': `me:${SECRET}\n` };
  const load = (argv: string[], env: Record<string, string> = {}) =>
    loadConfig({
      argv,
      env: { TENSORPIX_API_TOKEN: 'a-token', ...env },
      readFile: (path) => {
        if (path in files) return files[path]!;
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      },
    });
  const routeOf = (result: ReturnType<typeof load>) =>
    result.kind === 'run' ? result.config.accounts[0]!.route : result;

  test('a proxy URL with credentials is refused on the command line, where ps shows it', () => {
    const result = load([`--tensorpix.proxy-url=http://me:${SECRET}@proxy:3128`]);
    expect(result).toEqual({
      kind: 'invalid',
      problems: [
        '--tensorpix.proxy-url holds credentials, which every user of the machine can read through ps: put user:password in --tensorpix.proxy-credentials-file, or the URL in TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL',
      ],
    });
  });

  test('…and taken from the flag’s variable, or with a credentials file', () => {
    expect(
      routeOf(load([], { TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL: `http://me:${SECRET}@proxy:3128` })),
    ).toMatchObject({
      kind: 'proxy',
      source: 'TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL',
      credentialsFrom: 'the URL',
    });
    expect(
      routeOf(
        load(['--tensorpix.proxy-url=http://proxy:3128', '--tensorpix.proxy-credentials-file=/etc/creds']),
      ),
    ).toEqual({
      kind: 'proxy',
      origin: 'http://proxy:3128',
      host: 'proxy:3128',
      source: '--tensorpix.proxy-url',
      authorization: `Basic ${Buffer.from(`me:${SECRET}`).toString('base64')}`,
      credentialsFrom: '/etc/creds',
    });
  });

  test('--tensorpix.proxy-url= goes direct whatever the environment says; its empty variable does not', () => {
    expect(routeOf(load(['--tensorpix.proxy-url='], { HTTPS_PROXY: 'proxy:3128' }))).toEqual({
      kind: 'direct',
      reason: '--tensorpix.proxy-url is empty',
    });
    expect(
      routeOf(load([], { HTTPS_PROXY: 'proxy:3128', TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL: '' })),
    ).toMatchObject({ kind: 'proxy', source: 'HTTPS_PROXY' });
  });

  test('every proxy problem at once, one line each, never a password', () => {
    const result = load(['--tensorpix.proxy-credentials-file=/missing'], {
      HTTPS_PROXY: `ftp://me:${SECRET}@proxy`,
    });
    expect(result).toEqual({
      kind: 'invalid',
      problems: [
        'proxy credentials file /missing cannot be read (ENOENT)',
        'HTTPS_PROXY must be an HTTP proxy URL such as http://proxy.corp:3128: http:// or https://, a host, an optional port from 1 to 65535, no path, query or fragment',
      ],
    });
  });
});

describe('the accounts file', () => {
  const files: Record<string, string> = {
    '/etc/tpx/a.token': 'a\n',
    '/etc/tpx/team.creds': 'team:pw\n',
    '/etc/tpx/b.creds': 'b:pw\n',
  };
  const parse = (yaml: string, env: Record<string, string> = {}) => {
    const result = readAccountsFile(
      '/etc/tpx/accounts.yml',
      (path: string) => {
        if (path === '/etc/tpx/accounts.yml') return yaml;
        if (path in files) return files[path]!;
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      },
      { apiUrl: API, timeoutMs: 5000, proxy: { setting: {}, env: readProxyEnv(env) } },
    );
    return result.ok ? result.value.map((spec) => [spec.name, spec.route]) : result.problems;
  };

  test('proxy_url and proxy_credentials_file at the top and per account; credentials never follow another proxy', () => {
    const yaml = [
      'proxy_url: http://team-proxy:3128',
      'proxy_credentials_file: team.creds',
      'accounts:',
      '  - {name: inherits, token_file: a.token}',
      '  - {name: own-credentials, token_file: a.token, proxy_credentials_file: b.creds}',
      '  - {name: other-proxy, token_file: a.token, proxy_url: "http://other:3128"}',
      '  - {name: direct, token_file: a.token, proxy_url: ""}',
    ].join('\n');
    expect(parse(yaml, { HTTPS_PROXY: 'env-proxy:3128' })).toEqual([
      [
        'inherits',
        expect.objectContaining({
          host: 'team-proxy:3128',
          source: 'proxy_url',
          credentialsFrom: '/etc/tpx/team.creds',
        }),
      ],
      [
        'own-credentials',
        expect.objectContaining({ host: 'team-proxy:3128', credentialsFrom: '/etc/tpx/b.creds' }),
      ],
      [
        'other-proxy',
        { kind: 'proxy', origin: 'http://other:3128', host: 'other:3128', source: 'accounts[2].proxy_url' },
      ],
      ['direct', { kind: 'direct', reason: 'accounts[3].proxy_url is empty' }],
    ]);
  });

  test('without proxy keys the environment decides, NO_PROXY included', () => {
    expect(parse('accounts:\n  - {name: a, token_file: a.token}\n', { https_proxy: 'p:1' })).toEqual([
      ['a', expect.objectContaining({ kind: 'proxy', source: 'https_proxy' })],
    ]);
    expect(
      parse('accounts:\n  - {name: a, token_file: a.token}\n', { https_proxy: 'p:1', NO_PROXY: '*' }),
    ).toEqual([['a', { kind: 'direct', reason: 'NO_PROXY' }]]);
  });

  test('bad proxy keys are named with their place', () => {
    const yaml = [
      'proxy_url: 3128',
      'accounts:',
      '  - {name: a, token_file: a.token, proxy_url: "socks5://x:1", proxy_credentials_file: missing.creds}',
      `  - {name: b, token_file: a.token, proxy_url: "http://u:${SECRET}@p:1", proxy_credentials_file: b.creds}`,
    ].join('\n');
    expect(parse(yaml)).toEqual([
      'proxy_url must be a URL such as http://proxy.corp:3128, or "" to go direct',
      'accounts[0].proxy_url names a SOCKS proxy, which is not supported: give an HTTP proxy (http:// or https://)',
      'accounts[0]: proxy credentials file /etc/tpx/missing.creds cannot be read (ENOENT)',
      'accounts[1]: proxy credentials are given twice: in the URL of accounts[1].proxy_url and in /etc/tpx/b.creds',
    ]);
  });
});

test('--config.check names the proxy in force for each account, never its credentials', async () => {
  const check = await runToExit(['--config.check'], {
    TENSORPIX_API_TOKEN: 'a-token',
    HTTPS_PROXY: `http://me:${SECRET}@proxy.corp:3128`,
  });
  expect(check).toEqual({
    code: 0,
    stdout: [
      'tensorpix-exporter: configuration is valid (checked: flags and environment, token well-formed)',
      'tensorpix-exporter: account default: API https://backend.tensorpix.ai, proxy http://proxy.corp:3128 (from HTTPS_PROXY, credentials from the URL), token from TENSORPIX_API_TOKEN',
      'tensorpix-exporter: not checked: whether the API accepts the token and can be reached; only the API can say (add --config.check.api to ask it once per account)',
      'tensorpix-exporter: not checked: whether :10863 can be listened on (an address of this machine, a port free); only the start can say',
      '',
    ].join('\n'),
    stderr: '',
  });
  const direct = await runToExit(['--config.check'], {
    TENSORPIX_API_TOKEN: 'a-token',
    HTTPS_PROXY: 'proxy.corp:3128',
    NO_PROXY: 'localhost,.tensorpix.ai',
  });
  expect(direct.stdout).toContain('account default: API https://backend.tensorpix.ai, direct (NO_PROXY)');
});

test('--config.check refuses a credentials file saved with a byte-order mark, as the token file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-proxy-bom-'));
  const file = join(dir, 'proxy.creds');
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`me:${SECRET}\n`)]));
  try {
    const check = await runToExit(
      [
        '--config.check',
        '--tensorpix.proxy-url=http://proxy.corp:3128',
        `--tensorpix.proxy-credentials-file=${file}`,
      ],
      { TENSORPIX_API_TOKEN: 'a-token' },
    );
    expect(check).toEqual({
      code: 2,
      stdout: '',
      stderr: `tensorpix-exporter: proxy credentials file ${file} starts with a byte-order mark (U+FEFF), which would be sent as part of the user name: save it without one\n`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload decides routes from the same flags and variables as the start did', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-proxy-reload-'));
  const file = join(dir, 'accounts.yml');
  writeFileSync(join(dir, 'a.token'), 'a-token\n');
  writeFileSync(file, `api_url: ${API}\naccounts:\n  - {name: a, token_file: a.token}\n`);
  const h = await Harness.start({
    enableLifecycle: true,
    configFile: file,
    proxy: { setting: {}, env: readProxyEnv({ https_proxy: 'proxy.corp:3128', NO_PROXY: 'other.example' }) },
  });
  try {
    expect((await request(h.handler).post('/-/reload')).status).toBe(200);
    expect(h.app.accounts.accounts().map((account) => account.spec.route)).toEqual([
      { kind: 'proxy', origin: 'http://proxy.corp:3128', host: 'proxy.corp:3128', source: 'https_proxy' },
    ]);
    writeFileSync(file, `api_url: ${API}\nproxy_url: ""\naccounts:\n  - {name: a, token_file: a.token}\n`);
    expect((await request(h.handler).post('/-/reload')).status).toBe(200);
    expect(h.app.accounts.accounts()[0]!.spec.route).toEqual({
      kind: 'direct',
      reason: 'proxy_url is empty',
    });
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
