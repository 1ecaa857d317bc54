import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envName, FLAGS, helpText } from '../src/config/flags';
import { runToExit } from './helpers/child';

// The flag table of docs/configuration.md is written from --help by scripts/docs-flags.js;
// these tests fail when a flag's help changes and nobody ran `npm run docs:flags`.
const REPO = join(__dirname, '..');
const SCRIPT = join(REPO, 'scripts', 'docs-flags.js');
const CONFIGURATION = readFileSync(join(REPO, 'docs', 'configuration.md'), 'utf8');
const { parseHelp } = require('../scripts/docs-flags.js') as {
  parseHelp: (help: string) => {
    preamble: string[];
    flags: Array<{ usage: string; meaning: string; byDefault?: string; env: string }>;
  };
};

const check = (doc: string) =>
  spawnSync(process.execPath, [SCRIPT, '--check', `--doc=${doc}`], {
    encoding: 'utf8',
    timeout: 20_000,
  });

test('the flag table of docs/configuration.md is what --help says (npm run docs:flags)', () => {
  const result = check(join(REPO, 'docs', 'configuration.md'));
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('a flag whose help changed without regenerating fails the check, naming its row', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-docs-'));
  try {
    const copy = join(dir, 'configuration.md');
    // As if flags.ts reworded --cache.ttl and docs/configuration.md kept the old words.
    writeFileSync(
      copy,
      CONFIGURATION.replace('How long a balance is served from cache', 'How long a balance is kept'),
    );
    const result = check(copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the flag table differs from --help; run `npm run docs:flags`');
    expect(result.stderr).toContain('| `--cache.ttl=VALUE` | `60s` |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the help the table is read from holds every flag, its default and its variables', () => {
  const { preamble, flags } = parseHelp(helpText('0.0.0'));
  expect(preamble[0]).toMatch(/^Credentials: .*--config\.file.*--demo\.$/);
  expect(flags.map((f) => f.usage)).toEqual([
    '-h, --help',
    '--version',
    ...FLAGS.map((f) => (f.type === 'string' ? `--${f.name}=VALUE` : `--[no-]${f.name}`)),
  ]);
  for (const flag of FLAGS) {
    const row = flags.find((f) => f.usage.endsWith(`]${flag.name}`) || f.usage === `--${flag.name}=VALUE`)!;
    expect(row).toMatchObject({ meaning: flag.help, byDefault: flag.default });
    expect(row.env.split(', ')).toEqual([envName(flag.name), ...(flag.envAliases ?? [])]);
  }
});

test('the sample of a bad configuration in docs/configuration.md is what the exporter prints', async () => {
  const sample =
    /```\n\$ node --max-semi-space-size=2 --heap-growing-percent=20 dist\/main\.js (.*)\n([\s\S]*?)\$ echo \$\?\n(\d+)\n```/.exec(
      CONFIGURATION,
    );
  expect(sample).not.toBeNull();
  const [, args, output, status] = sample!;
  const { code, stdout, stderr } = await runToExit(args!.split(' '));
  expect({ code, out: stdout + stderr }).toEqual({ code: Number(status), out: output });
});
