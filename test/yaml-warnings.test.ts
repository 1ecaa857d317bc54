import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readYamlFile } from '../src/config/yaml-file';
import { runToExit, startExporter } from './helpers/child';

// What the YAML parser would only warn about (an unknown tag, a list used as a key) is a
// problem of the file: the value it names would be dropped or mangled. The problem says
// which line, never the file's content, and nothing reaches standard error past the logger.

const SECRET = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
const readerOf = (text: string) => () => text;

test.each<[string, string, string]>([
  [
    'an unknown tag on a secret',
    `tls_server_config:\n  cert_file: c.pem\n  key: !secret "${SECRET}"\n`,
    'web.yml is not plain YAML: line 3 has a tag the exporter does not know (TAG_RESOLVE_FAILED); write the value without it',
  ],
  [
    'a js/function tag',
    'accounts:\n  - name: a\n    token_file: !!js/function "function () { return 1 }"\n',
    'web.yml is not plain YAML: line 3 has a tag the exporter does not know (TAG_RESOLVE_FAILED); write the value without it',
  ],
  [
    'a list used as a key',
    'accounts:\n  - ? [name]\n    : a\n    token_file: t\n',
    'web.yml is not plain YAML: line 2 has a list or mapping as a key (COLLECTION_KEY); a key is a name',
  ],
  [
    'an alias of a list used as a key',
    'names: &names [a, b]\n? *names\n: 1\n',
    'web.yml is not plain YAML: line 2 has a list or mapping as a key (COLLECTION_KEY); a key is a name',
  ],
  [
    'a mapping used as a key',
    'accounts:\n  - {name: a, token_file: t}\n{secret: x}: 1\n',
    'web.yml is not plain YAML: line 3 has a list or mapping as a key (COLLECTION_KEY); a key is a name',
  ],
])('%s is a problem naming the line, never the content', (_name, text, problem) => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    const result = readYamlFile('web.yml', readerOf(text));
    expect(result).toEqual({ ok: false, problems: [problem] });
  } finally {
    process.off('warning', onWarning);
  }
  expect(warnings).toEqual([]);
});

test('plain YAML with a standard tag (!!str) and a quoted key is still read', () => {
  expect(readYamlFile('a.yml', readerOf('a: !!str 12\n"[b]": 2\n'))).toEqual({
    ok: true,
    value: { a: '12', '[b]': 2 },
  });
});

describe('the built exporter', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tpx-yaml-warnings-'));
    writeFileSync(join(dir, 'token'), 'abcdef0123456789\n');
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  alice: !secret "${SECRET}"\n`);
    writeFileSync(join(dir, 'accounts.yml'), 'accounts:\n  - name: a\n    token_file: !!js/function token\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['--web.config.file', 'web.yml', 2],
    ['--config.file', 'accounts.yml', 3],
  ])(
    '%s with an unknown tag: check and start exit 2 with one problem line, no warning, no content',
    async (flag, file, line) => {
      const args = [`${flag}=${join(dir, file)}`, `--tensorpix.token-file=${join(dir, 'token')}`];
      if (flag === '--config.file') args.pop();
      for (const mode of ['--config.check', '--web.listen-address=127.0.0.1:0']) {
        const { code, stdout, stderr } = await runToExit([mode, ...args]);
        expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
        expect(stderr).toBe(
          `tensorpix-exporter: ${flag}: ${join(dir, file)} is not plain YAML: line ${line} has a tag the exporter does not know (TAG_RESOLVE_FAILED); write the value without it\n`,
        );
      }
    },
  );

  test('a reload that meets a collection key logs the problem as a JSON line and keeps the account', async () => {
    const accounts = join(dir, 'reload.yml');
    writeFileSync(accounts, `accounts:\n  - {name: a, token_file: token}\n`);
    const running = await startExporter([`--config.file=${accounts}`, '--web.enable-lifecycle']);
    try {
      writeFileSync(accounts, `accounts:\n  - {name: a, token_file: token}\n? [b]\n: 1\n`);
      running.child.kill('SIGHUP');
      for (let i = 0; i < 500 && !running.stderr().includes('COLLECTION_KEY'); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const lines = running.stderr().trimEnd().split('\n');
      expect(lines.find((l) => l.includes('COLLECTION_KEY'))).toContain(
        'line 3 has a list or mapping as a key',
      );
      // Every line is the logger's: no "(node:PID) Warning" line from the parser.
      for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toMatch(/^tensorpix_up\{account="a"\} /m);
    } finally {
      running.child.kill('SIGKILL');
      await running.exited;
    }
  });
});
