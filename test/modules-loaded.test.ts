import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { MAIN } from './helpers/child';
import { balance, startFakeApi } from './helpers/fake-api';

const REPORTER = join(__dirname, 'helpers', 'report-modules.js');

/** modulesOf runs the built exporter with `args`, scrapes it once, stops it and lists the modules it loaded. */
async function modulesOf(args: string[], env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-modules-'));
  const report = join(dir, 'modules.json');
  try {
    const child = spawn(
      process.execPath,
      ['--require', REPORTER, MAIN, '--web.listen-address=127.0.0.1:0', ...args],
      {
        env: { PATH: process.env.PATH ?? '', REPORT_MODULES: report, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${log}`)), 5000);
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /"address":"([^"]+)".*"msg":"listening"/.exec(log);
        if (match) {
          clearTimeout(timer);
          resolve(`http://${match[1]}`);
        }
      });
    });
    const { statusCode, body } = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    await body.dump();
    expect(statusCode).toBe(200);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return (JSON.parse(readFileSync(report, 'utf8')) as string[]).map((path) =>
      path.replace(/^.*node_modules\//, ''),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a single-account exporter loads only what it uses: no YAML, no bcrypt; undici through its public entry', async () => {
  const api = await startFakeApi();
  api.reply(balance('1.0000'));
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-modules-token-'));
  try {
    writeFileSync(join(dir, 'token'), 'a-token\n');
    const loaded = await modulesOf([`--tensorpix.api-url=${api.url}`], {
      TENSORPIX_API_TOKEN_FILE: join(dir, 'token'),
    });
    const packages = new Set(
      loaded.filter((path) => !path.startsWith('/')).map((path) => path.split('/')[0]),
    );
    // The stack the exporter runs on is there…
    for (const used of ['express', 'pino', 'undici', 'prom-client']) expect(packages).toContain(used);
    // …but not what only --config.file or --web.config.file needs,
    expect(packages).not.toContain('yaml');
    expect(packages).not.toContain('bcryptjs');
    // undici is loaded as a whole, through its package entry: its files are not the
    // exporter's to pick (undici has no exports map, and a release may move them).
    expect(loaded).toContain('undici/index.js');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
  }
});

test('the modules a configuration needs are loaded when it asks for them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-modules-config-'));
  try {
    writeFileSync(join(dir, 'a.token'), 'a-token\n');
    writeFileSync(
      join(dir, 'accounts.yml'),
      'api_url: http://127.0.0.1:9\naccounts:\n  - {name: a, token_file: a.token}\n',
    );
    const loaded = await modulesOf([`--config.file=${join(dir, 'accounts.yml')}`], {});
    expect(loaded.some((path) => path.startsWith('yaml/'))).toBe(true);
    expect(loaded.some((path) => path.startsWith('bcryptjs/'))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
