// The built CLI: what the running exporter would hand Node or bcrypt and fail on exits 2 at
// --config.check and at the start alike, in the same lines; and for a few generated
// configurations, `--config.check` exit 0 ⇒ the started process answers /-/healthy and
// /metrics with 200 (the bulk of the property runs in process, config-check.property test).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import fc from 'fast-check';
import { loadConfig } from '../src/config/load-config';
import { runToExit, startExporter } from './helpers/child';
import { configArbitrary } from './helpers/config-arbitrary';
import { balance, startFakeApi, type FakeApi } from './helpers/fake-api';
import { statusOf } from './helpers/status-of';

const HASH_10 = '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze';
const TOKEN = '0123456789abcdef0123456789abcdef01234567';
const U = 'must be an http:// or https:// URL without credentials, query or fragment';
const P = 'tensorpix-exporter:';

let dir: string;
let api: FakeApi;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-check-'));
  writeFileSync(join(dir, 'token'), 'a-token\n');
  api = await startFakeApi();
  api.reply(balance('12.3400'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await api.close();
});

function webConfig(name: string, yaml: string): string {
  writeFileSync(join(dir, name), yaml);
  return `--web.config.file=${join(dir, name)}`;
}

test.each<[string, () => string[], string[]]>([
  [
    'a CSP with typographic quotes',
    () => [
      webConfig(
        'csp.yml',
        'http_server_config:\n  headers:\n    Content-Security-Policy: "default-src ’self’"\n',
      ),
    ],
    [
      `${P} --web.config.file: http_server_config.headers: Content-Security-Policy holds U+2019 at character 13, which an HTTP header cannot carry (ERR_INVALID_CHAR), a typographic quote: write ' or " instead`,
    ],
  ],
  [
    'a bcrypt hash of cost 31',
    () => [webConfig('cost.yml', `basic_auth_users:\n  alice: "${HASH_10.replace('$10$', '$31$')}"\n`)],
    [
      `${P} --web.config.file: basic_auth_users: the password of alice is a bcrypt hash of cost 31, above 12: a check would take longer than a scrape may; make it anew with: htpasswd -nBC 10 "" | tr -d ':\\n'`,
    ],
  ],
  [
    'an API URL with a bare "?"',
    () => ['--tensorpix.api-url=http://127.0.0.1:1/?'],
    [`${P} --tensorpix.api-url ${U}: it holds a query ("?")`],
  ],
  [
    'an API URL with a bare "#"',
    () => ['--tensorpix.api-url=http://127.0.0.1:1/#'],
    [`${P} --tensorpix.api-url ${U}: it holds a fragment ("#")`],
  ],
])('%s: exit 2 at --config.check and at the start, naming it', async (_name, args, expected) => {
  const argv = [
    `--tensorpix.token-file=${join(dir, 'token')}`,
    '--web.listen-address=127.0.0.1:0',
    ...args(),
  ];
  const check = await runToExit(['--config.check', ...argv]);
  const start = await runToExit(argv);
  expect(check).toEqual({ code: 2, stdout: '', stderr: `${expected.join('\n')}\n` });
  expect(start).toEqual({ code: 2, stdout: '', stderr: `${expected.join('\n')}\n` });
});

test('a token pasted as --tensorpix.token-file is not printed', async () => {
  const { code, stderr } = await runToExit(['--config.check', `--tensorpix.token-file=${TOKEN}`]);
  expect(code).toBe(2);
  expect(stderr).toBe(
    `${P} the file named by --tensorpix.token-file cannot be read (ENOENT); its name looks like a token, so it is not repeated: give the path of the file that holds the token\n`,
  );
});

test('through the CLI: --config.check exit 0 ⇒ the started exporter answers /-/healthy and /metrics 200', async () => {
  const hashes = [hashSync('pw', 4)];
  const apiPort = Number(new URL(api.url).port);
  let served = 0;
  await fc.assert(
    fc.asyncProperty(configArbitrary({ apiPort, hashes, names: false }), async (generated) => {
      const argv = [
        webConfig('generated.yml', generated.webYaml),
        `--tensorpix.token-file=${join(dir, 'token')}`,
        `--tensorpix.api-url=${generated.apiUrl}`,
        '--tensorpix.timeout=1s',
      ];
      const check = await runToExit(['--config.check', ...argv]);
      // The CLI and the function the in-process property calls agree.
      const loaded = loadConfig({ argv, env: {}, readFile: (path) => readFileSync(path, 'utf8') });
      expect(check.code).toBe(loaded.kind === 'run' ? 0 : 2);
      if (check.code !== 0) return;
      served++;
      const running = await startExporter(argv);
      try {
        const port = Number(new URL(running.url).port);
        const authorization =
          generated.user && `Basic ${Buffer.from(`${generated.user}:pw`).toString('base64')}`;
        expect([
          await statusOf(port, '/-/healthy', authorization),
          await statusOf(port, '/metrics', authorization),
        ]).toEqual([200, 200]);
      } finally {
        running.child.kill('SIGKILL');
        await running.exited;
      }
    }),
    // Weighted so that about one in three is accepted and started.
    { numRuns: 16, seed: 20 },
  );
  process.stdout.write(
    `config property through the CLI: 16 configurations, ${served} accepted and started\n`,
  );
  expect(served).toBeGreaterThan(0);
}, 120_000);
