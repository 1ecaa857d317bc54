#!/usr/bin/env node
// Writes the flag table of docs/configuration.md from `tensorpix-exporter --help`, so the
// help is the one source of what the flags are and mean (src/config/flags.ts declares them):
//
//   npm run docs:flags                    build, then rewrite the part of docs/configuration.md
//                                         between the markers below
//   node scripts/docs-flags.js --check    exit 1 if docs/configuration.md differs from what
//                                         would be written (the tests run this)
//   --doc=PATH                            another file (the tests use a copy)
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

/** code puts flags, variables and durations in backticks, as the rest of the docs write them. */
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

/** section renders the help as the docs' Markdown: its preamble, then one row a flag. */
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

/** update returns `doc` with the generated part replaced by `generated`. */
function update(doc, generated) {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the file has no markers ${BEGIN} … ${END}`);
  return doc.slice(0, start) + generated + doc.slice(end + END.length);
}

function main(args) {
  const docPath =
    args.find((a) => a.startsWith('--doc='))?.slice(6) ?? join(ROOT, 'docs', 'configuration.md');
  const doc = readFileSync(docPath, 'utf8');
  const wanted = update(doc, section(helpOf()));
  if (!args.includes('--check')) {
    writeFileSync(docPath, wanted);
    console.log(`${wanted === doc ? 'unchanged' : 'wrote'} ${docPath}`);
  } else if (wanted !== doc) {
    const differ = wanted.split('\n').filter((line) => !doc.split('\n').includes(line));
    console.error(`${docPath}: the flag table differs from --help; run \`npm run docs:flags\`:`);
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
