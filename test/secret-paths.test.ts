// A secret pasted where a file's path belongs (a token, user:password) must not be printed
// back by the problem that says the file cannot be read: the problem names the setting
// instead. Every setting that takes a file's path, on the command line, in the
// environment and in the accounts and web configuration files, is tried with each shape.
import { loadConfig } from '../src/config/load-config';
import { looksLikeToken } from '../src/accounts/token-file';

const SECRETS = [
  '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b',
  'user:S3cretPass',
  'tp.9f8e7d6c5b4a.3c2b1a0f9e8d',
];
const TOKEN_FILE = '/run/token';
const PROXY = '--tensorpix.proxy-url=http://127.0.0.1:3128';

function problemsOf(argv: string[], env: Record<string, string>, files: Record<string, string>): string[] {
  const result = loadConfig({
    argv,
    env,
    readFile: (path: string) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    },
  });
  return result.kind === 'invalid' ? result.problems : [];
}

/** SETTINGS give, for a path, the argv, environment and files that name it in one setting. */
const SETTINGS: Record<string, (path: string) => [string[], Record<string, string>, Record<string, string>]> =
  {
    '--tensorpix.token-file': (path) => [[`--tensorpix.token-file=${path}`], {}, {}],
    TENSORPIX_API_TOKEN_FILE: (path) => [[], { TENSORPIX_API_TOKEN_FILE: path }, {}],
    '--tensorpix.proxy-credentials-file': (path) => [
      [`--tensorpix.token-file=${TOKEN_FILE}`, PROXY, `--tensorpix.proxy-credentials-file=${path}`],
      {},
      {},
    ],
    TENSORPIX_EXPORTER_TENSORPIX_PROXY_CREDENTIALS_FILE: (path) => [
      [`--tensorpix.token-file=${TOKEN_FILE}`, PROXY],
      { TENSORPIX_EXPORTER_TENSORPIX_PROXY_CREDENTIALS_FILE: path },
      {},
    ],
    '--config.file': (path) => [[`--config.file=${path}`], {}, {}],
    '--web.config.file': (path) => [['--demo', `--web.config.file=${path}`], {}, {}],
    '--tensorpix.ca-file': (path) => [['--demo', `--tensorpix.ca-file=${path}`], {}, {}],
    'accounts[0].token_file': (path) => [
      ['--config.file=/etc/tpx/accounts.yml'],
      {},
      { '/etc/tpx/accounts.yml': `accounts:\n  - {name: a, token_file: "${path}"}\n` },
    ],
    proxy_credentials_file: (path) => [
      ['--config.file=/etc/tpx/accounts.yml'],
      {},
      {
        '/etc/tpx/accounts.yml': `proxy_url: http://127.0.0.1:3128\nproxy_credentials_file: "${path}"\naccounts:\n  - {name: a, token_file: ${TOKEN_FILE}}\n`,
      },
    ],
    'accounts[0].proxy_credentials_file': (path) => [
      ['--config.file=/etc/tpx/accounts.yml'],
      {},
      {
        '/etc/tpx/accounts.yml': `accounts:\n  - {name: a, token_file: ${TOKEN_FILE}, proxy_url: "http://127.0.0.1:3128", proxy_credentials_file: "${path}"}\n`,
      },
    ],
    ...Object.fromEntries(
      ['cert_file', 'key_file', 'client_ca_file'].map((key) => [
        `tls_server_config.${key}`,
        (path: string) => {
          const files: Record<string, string> = { '/etc/tpx/c.pem': 'x', '/etc/tpx/k.pem': 'x' };
          const tls: Record<string, string> = { cert_file: 'c.pem', key_file: 'k.pem', [key]: path };
          const yaml = Object.entries(tls).map(([k, v]) => `  ${k}: "${v}"`);
          files['/etc/tpx/web.yml'] = `tls_server_config:\n${yaml.join('\n')}\n`;
          return [['--demo', '--web.config.file=/etc/tpx/web.yml'], {}, files];
        },
      ]),
    ),
  };

const cases = Object.keys(SETTINGS).flatMap((setting) => SECRETS.map((secret) => [setting, secret] as const));

test.each(cases)('%s given %j: the problem names the setting, never the value', (setting, secret) => {
  const [argv, env, files] = SETTINGS[setting]!(secret);
  const problems = problemsOf(argv, env, { [TOKEN_FILE]: 'abcdef0123456789\n', ...files });
  // The file cannot be read, and the problem says so: the value is left out, not the problem.
  expect(problems.join('\n')).toMatch(/ENOENT/);
  expect(problems.join('\n')).toMatch(/looks like a (token|secret)/);
  for (const problem of problems) expect(problem).not.toContain(secret);
});

test.each(Object.keys(SETTINGS))('%s given an ordinary path: the problem shows it', (setting) => {
  for (const path of ['/etc/tpx/missing:1', 'secrets/user.pass', 'tls.pem']) {
    const [argv, env, files] = SETTINGS[setting]!(path);
    const problems = problemsOf(argv, env, { [TOKEN_FILE]: 'abcdef0123456789\n', ...files });
    expect(problems.join('\n')).toContain(path);
  }
});

test.each<[string, boolean]>([
  ['tp.9f8e7d6c5b4a.3c2b1a0f9e8d', true],
  ['sk.live.4f3e2d1c0b9a', true],
  ['user:S3cretPass', true],
  ['proxy:pw', true],
  ['./user:pass', false],
  ['/etc/tpx/missing:1', false],
  ['tls.pem', false],
  ['prod.token', false],
  ['accounts.v2.yml', false],
  ['backup.2026', false],
  ['web-config.yml', false],
])(
  'looksLikeToken(%j) is %j: a dotted token and user:password are secrets, a path with "/" or an extension is not',
  (path, expected) => {
    expect(looksLikeToken(path)).toBe(expected);
  },
);
