import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputLines } from '../src/check/output-lines';
import { runToExit } from './helpers/child';

// What --config.check and a refused start print is read one line per item, by people and
// by scripts: a name from the command line or a file must not add a line of its own.

const FORGED = 'level=error msg="forged line"';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tpx-check-lines-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('outputLines prefixes each line and escapes control and line-separating characters as JSON does', () => {
  expect(outputLines(['plain /etc/token', 'a\nb\r\tc\x1b[31m\x7f\u0085\u2028\u2029'])).toBe(
    'tensorpix-exporter: plain /etc/token\n' +
      'tensorpix-exporter: a\\nb\\r\\tc\\u001b[31m\\u007f\\u0085\\u2028\\u2029\n',
  );
  expect(outputLines([])).toBe('');
});

test('a token file whose name holds a line break: the check prints one line for the account, no forged line', async () => {
  const path = join(dir, `a\n${FORGED}`);
  writeFileSync(path, 'abcdef0123456789\n');
  const { code, stdout } = await runToExit(['--config.check', `--tensorpix.token-file=${path}`]);
  expect(code).toBe(0);
  const lines = stdout.trimEnd().split('\n');
  expect(lines.every((line) => line.startsWith('tensorpix-exporter: '))).toBe(true);
  expect(lines.filter((line) => line.startsWith('tensorpix-exporter: account '))).toEqual([
    expect.stringContaining(`a\\n${FORGED}`),
  ]);
});

test('a missing token file whose name holds a line break: one problem line on standard error, exit 2', async () => {
  const path = join(dir, `missing\n${FORGED}`);
  for (const args of [['--config.check'], ['--web.listen-address=127.0.0.1:0']]) {
    const { code, stderr } = await runToExit([...args, `--tensorpix.token-file=${path}`]);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([
      `tensorpix-exporter: token file missing\\n${FORGED} cannot be read (ENOENT)`.replace(
        'missing',
        join(dir, 'missing'),
      ),
    ]);
  }
});
