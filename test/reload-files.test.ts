import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAccountsFile } from '../src/config/accounts-file';
import { parseWithPrefetch } from '../src/config/prefetch-reader';
import { readRegularFileSync } from '../src/regular-file';
import { holdThreadPool } from './helpers/hold-thread-pool';

// A reload reads the accounts file and its token files off the event loop, with the very
// parse the start uses: same accounts, same problems, in the same words; a FIFO or a file
// too large is refused, and files not read by the deadline fail the reload instead of
// holding it.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-reload-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const DEFAULTS = { apiUrl: 'https://api.example.test', timeoutMs: 5000 };

function accounts(names: string[]): string {
  const path = join(dir, 'accounts.yml');
  writeFileSync(
    path,
    `accounts:\n${names.map((name) => `  - name: ${name}\n    token_file: ${name}.token\n`).join('')}`,
  );
  return path;
}

const parse = (path: string) => (readFile: Parameters<typeof readAccountsFile>[1]) =>
  readAccountsFile(path, readFile, DEFAULTS);

test('the reload reads what the start reads: the same accounts, or the same problems', async () => {
  const path = accounts(['alpha', 'beta', 'gamma']);
  writeFileSync(join(dir, 'alpha.token'), 'token-alpha\n');
  writeFileSync(join(dir, 'beta.token'), 'token beta with spaces\n');
  const atStart = parse(path)(readRegularFileSync);
  const onReload = await parseWithPrefetch(parse(path), AbortSignal.timeout(5000));
  expect(onReload).toEqual(atStart);
  expect(onReload.ok).toBe(false);
  writeFileSync(join(dir, 'beta.token'), 'token-beta\n');
  writeFileSync(join(dir, 'gamma.token'), 'token-gamma\n');
  const good = await parseWithPrefetch(parse(path), AbortSignal.timeout(5000));
  expect(good).toEqual(parse(path)(readRegularFileSync));
  expect(good.ok && good.value.map((account) => account.name)).toEqual(['alpha', 'beta', 'gamma']);
});

test('a FIFO token file is refused at once, and a token file over 8 KiB is refused unread past its cap', async () => {
  const path = accounts(['fifo', 'big']);
  execFileSync('mkfifo', [join(dir, 'fifo.token')]);
  writeFileSync(join(dir, 'big.token'), 'x'.repeat(9000));
  const result = await parseWithPrefetch(parse(path), AbortSignal.timeout(5000));
  expect(result).toEqual({
    ok: false,
    problems: [
      `accounts[0]: token file ${join(dir, 'fifo.token')} cannot be read (a FIFO, not a regular file)`,
      `accounts[1]: token file ${join(dir, 'big.token')} cannot be read (larger than 8 KiB)`,
    ],
  });
});

test('files not read by the deadline fail the reload by then, named, instead of holding it', async () => {
  const path = accounts(['alpha']);
  writeFileSync(join(dir, 'alpha.token'), 'token-alpha\n');
  // Every thread of libuv's pool waits in open() on a FIFO without a writer, as on a hung
  // mount: no file of the reload can be read until the test opens it for writing.
  const pool = holdThreadPool(dir);
  try {
    const started = Date.now();
    const result = await parseWithPrefetch(parse(path), AbortSignal.timeout(300));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toEqual({
      ok: false,
      problems: [`cannot read ${path} (not read within the reload's deadline)`],
    });
  } finally {
    await pool.release();
  }
});
