import { readAccountsFile } from '../src/config/accounts-file';

const DEFAULTS = { apiUrl: 'https://backend.tensorpix.ai', timeoutMs: 5000 };
const files: Record<string, string> = {
  '/etc/tpx/prod.token': 'prod-token\n',
  '/etc/tpx/staging.token': 'staging-token\n',
  '/etc/tpx/empty.token': '',
};

function parse(yaml: string) {
  const result = readAccountsFile(
    '/etc/tpx/accounts.yml',
    (path: string) => {
      if (path === '/etc/tpx/accounts.yml') return yaml;
      if (path in files) return files[path]!;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    },
    DEFAULTS,
  );
  return result.ok ? result.value : result.problems;
}

test('accounts with top-level defaults and per-account overrides; token paths relative to the file', () => {
  expect(
    parse(
      [
        'timeout: 3s',
        'accounts:',
        '  - name: production',
        '    token_file: prod.token',
        '  - name: staging',
        '    token_file: /etc/tpx/staging.token',
        '    api_url: http://127.0.0.1:8080/',
        '    timeout: 1s',
      ].join('\n'),
    ),
  ).toEqual([
    {
      name: 'production',
      apiUrl: 'https://backend.tensorpix.ai',
      timeoutMs: 3000,
      token: { kind: 'file', path: '/etc/tpx/prod.token' },
      tokenFrom: 'token_file /etc/tpx/prod.token in /etc/tpx/accounts.yml',
      route: { kind: 'direct', reason: 'no HTTPS_PROXY' },
    },
    {
      name: 'staging',
      apiUrl: 'http://127.0.0.1:8080',
      timeoutMs: 1000,
      token: { kind: 'file', path: '/etc/tpx/staging.token' },
      tokenFrom: 'token_file /etc/tpx/staging.token in /etc/tpx/accounts.yml',
      route: { kind: 'direct', reason: 'no HTTP_PROXY' },
    },
  ]);
});

test.each<[string, string, string[]]>([
  [
    'unknown keys, named with their place',
    'acounts: []\naccounts:\n  - name: a\n    token_file: prod.token\n    tokenfile: x\n',
    ['unknown key acounts', 'unknown key accounts[0].tokenfile'],
  ],
  ['no accounts', 'accounts: []\n', ['accounts must be a list of at least one account']],
  ['an empty file', '', ['/etc/tpx/accounts.yml must hold a YAML mapping with an accounts list']],
  [
    'a duplicate name',
    'accounts:\n  - {name: a, token_file: prod.token}\n  - {name: a, token_file: staging.token}\n',
    ['accounts[1].name a is used twice'],
  ],
  [
    'a name that is not a good label value',
    'accounts:\n  - {name: "team a", token_file: prod.token}\n',
    ['accounts[0].name must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'],
  ],
  ['a missing token_file', 'accounts:\n  - {name: a}\n', ['accounts[0].token_file is required']],
  [
    'an unreadable token file',
    'accounts:\n  - {name: a, token_file: nope.token}\n',
    ['accounts[0]: token file /etc/tpx/nope.token cannot be read (ENOENT)'],
  ],
  [
    'an empty token file',
    'accounts:\n  - {name: a, token_file: empty.token}\n',
    ['accounts[0]: token file /etc/tpx/empty.token is empty'],
  ],
  [
    'a bad api_url and timeout',
    'api_url: ftp://x\naccounts:\n  - {name: a, token_file: prod.token, timeout: soon}\n',
    [
      'api_url must be an http:// or https:// URL without credentials, query or fragment: its scheme is ftp:',
      'accounts[0].timeout must be a duration such as 500ms, 30s, 5m or 1h, not "soon"',
    ],
  ],
  [
    'an account that is not a mapping',
    'accounts:\n  - production\n',
    ['accounts[0] must be a mapping with name and token_file'],
  ],
  ['not YAML', 'accounts: [\n', ['/etc/tpx/accounts.yml is not valid YAML (BAD_INDENT)']],
  [
    'timeouts out of range',
    'timeout: 1000d\naccounts:\n  - {name: a, token_file: prod.token, timeout: 1.5ms}\n  - {name: b, token_file: prod.token, timeout: 5}\n',
    [
      'timeout must be from 10ms to 5m, not "1000d"',
      'accounts[0].timeout must be from 10ms to 5m, not "1.5ms"',
      'accounts[1].timeout must be a duration such as 5s, not 5',
    ],
  ],
])('%s', (_name, yaml, problems) => {
  expect(parse(yaml)).toEqual(problems);
});
