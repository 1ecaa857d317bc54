#!/usr/bin/env node
// Writes the README's flag table from `tensorpix-exporter --help`, so the help is the one
// source of what the flags are and mean (src/config/flags.ts declares them):
//
//   npm run docs:flags                    build, then rewrite the part of README.md between
//                                         the markers below
//   node scripts/docs-flags.js --check    exit 1 if README.md differs from what would be
//                                         written (the tests run this)
//   --readme=PATH                         another README (the tests use a copy)
//
// A flag added to, or reworded in, flags.ts needs only `npm run docs:flags`.
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const BEGIN = '<!-- flags: generated from --help by `npm run docs:flags`; edit src/config/flags.ts -->';
const END = '<!-- end of the generated flags -->';

/** helpOf runs the built exporter's --help, with no environment that could change it. */
const helpOf = () => execFileSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', env: {} });

/** code puts flags, variables and durations in backticks, as the rest of the README writes them. */
const code = (text) =>
  text
    .replace(/\|/g, '\\|')
    .replace(
      /(^|[\s(])(--(?:\[no-\])?[a-z][\w.-]*\w(?:=VALUE| VALUE|=)?|[A-Z][A-Z0-9]*_[A-Z0-9_]+|(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+)(?=[\s,.;:)]|$)/g,
      '$1`$2`',
    );

/**
 * parseHelp reads the help's flags: each is a line `  --name…` followed by lines indented
 * six spaces, the last of which may be `env: …`, and a meaning ending in `(default: …)`.
 */
function parseHelp(help) {
  const [, preamble = '', list = ''] = /\n\n(Credentials:[\s\S]*?)\n\nFlags:\n([\s\S]*)$/.exec(help) ?? [];
  if (!list) throw new Error('--help has no "Credentials:" preamble and "Flags:" list');
  const flags = [];
  for (const line of list.split('\n')) {
    if (/^ {2}-/.test(line)) flags.push({ usage: line.trim(), lines: [] });
    else if (/^ {6}\S/.test(line) && flags.length > 0) flags[flags.length - 1].lines.push(line.trim());
  }
  return {
    preamble: preamble.split('\n'),
    flags: flags.map(({ usage, lines }) => {
      const env = lines.find((l) => l.startsWith('env: '))?.slice(5) ?? '';
      const text = lines.filter((l) => !l.startsWith('env: ')).join(' ');
      const [, meaning, byDefault] = /^(.*?)(?: \(default: (.*)\))?$/.exec(text);
      return { usage, meaning, byDefault, env };
    }),
  };
}

/** section renders the help as the README's Markdown: its preamble, then one row a flag. */
function section(help) {
  const { preamble, flags } = parseHelp(help);
  const rows = flags.map(({ usage, meaning, byDefault, env }) => {
    const fallback = usage.startsWith('--[no-]') ? 'off' : '—';
    const envs = env
      ? env
          .split(', ')
          .map((name) => `\`${name}\``)
          .join(', ')
      : '';
    const flag = usage
      .split(', ')
      .map((form) => `\`${form}\``)
      .join(', ');
    return `| ${flag} | ${byDefault === undefined ? fallback : `\`${byDefault}\``} | ${envs} | ${code(meaning)} |`;
  });
  return [
    BEGIN,
    ...preamble.flatMap((line) => [code(line), '']),
    '| flag | default | environment variable | meaning |',
    '|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
}

/** update returns `readme` with the generated part replaced by `generated`. */
function update(readme, generated) {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the README has no markers ${BEGIN} … ${END}`);
  return readme.slice(0, start) + generated + readme.slice(end + END.length);
}

function main(args) {
  const readmePath = args.find((a) => a.startsWith('--readme='))?.slice(9) ?? join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const wanted = update(readme, section(helpOf()));
  if (!args.includes('--check')) {
    writeFileSync(readmePath, wanted);
    console.log(`${wanted === readme ? 'unchanged' : 'wrote'} ${readmePath}`);
  } else if (wanted !== readme) {
    const differ = wanted.split('\n').filter((line) => !readme.split('\n').includes(line));
    console.error(`${readmePath}: the flag table differs from --help; run \`npm run docs:flags\`:`);
    for (const line of differ) console.error(`  ${line}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`docs-flags: ${error.message}`);
    process.exitCode = 1;
  }
}

module.exports = { parseHelp, section, update };
