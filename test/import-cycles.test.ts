import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildImportGraph, findCycles, specifiersOf, type ImportGraph } from './helpers/import-graph';

// The house a newcomer walks (docs/architecture.md) must stay true: no import cycle among the
// files of src/, type-only imports included, and every import from one room into another
// an arrow the doc's table draws. A new cycle or a wrong-way arrow fails here, named.

const REPO = join(__dirname, '..');
const SRC = join(REPO, 'src');
const DOC = 'docs/architecture.md';
const doc = readFileSync(join(REPO, DOC), 'utf8');

/**
 * unitOf is a file's room: its folder under src/ (`accounts/`), or the file itself for the
 * few at the top (`main.ts`, `result.ts`), which sit at the top or the bottom of the house.
 */
const unitOf = (file: string) => (file.includes('/') ? `${file.slice(0, file.indexOf('/'))}/` : file);

/**
 * FORBIDDEN are the arrows shared/DESIGN.md's layout rules out, whatever the doc's table
 * says: accounts/ never imports config/ or web/ (nor metrics/, which reads it); the upstream
 * client knows nothing of the exporter around it; web/ reads no file; nothing imports main.
 */
const FORBIDDEN: ReadonlyArray<[string, string, string]> = [
  ['accounts/', 'config/', 'accounts/ never imports config/'],
  ['accounts/', 'web/', 'accounts/ never imports web/'],
  ['accounts/', 'metrics/', 'metrics/ reads accounts/, never the reverse'],
  ['tensorpix/', 'accounts/', 'the upstream client knows nothing of accounts'],
  ['tensorpix/', 'config/', 'the upstream client is given its settings, it reads none'],
  ['tensorpix/', 'metrics/', 'the upstream client knows nothing of metrics'],
  ['tensorpix/', 'web/', 'the upstream client knows nothing of the server'],
  ['web/', 'regular-file.ts', 'web/ reads no file; config/ does'],
  ['*', 'main.ts', 'main.ts is the only file that touches process.*: nothing imports it'],
];

/** forbiddenWhy says why an arrow is ruled out, or undefined when DESIGN allows it. */
const forbiddenWhy = (from: string, to: string) =>
  FORBIDDEN.find(([f, t]) => (f === '*' || f === from) && t === to)?.[2];

/**
 * tableArrows reads the doc's "may import" table: each row names a room (in backquotes, in
 * its first cell) and, in its last cell, every room it imports (or "nothing").
 */
function tableArrows(text: string): Map<string, Set<string>> {
  const section = /^## Rooms and arrows\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(text)?.[1];
  if (section === undefined) throw new Error(`${DOC} has no "## Rooms and arrows" section`);
  const rows = section.split('\n').filter((line) => /^\|\s*\[?`/.test(line));
  const arrows = new Map<string, Set<string>>();
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1);
    const unit = /`([^`]+)`/.exec(cells[0] ?? '')?.[1];
    if (unit === undefined) throw new Error(`${DOC}: a row names no room: ${row}`);
    const imports = [...(cells[cells.length - 1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    arrows.set(unit, new Set(imports));
  }
  return arrows;
}

/** unitArrows folds the file graph into arrows between rooms, each with a file that draws it. */
function unitArrows(graph: ImportGraph): Map<string, Map<string, string>> {
  const arrows = new Map<string, Map<string, string>>();
  for (const [file, targets] of graph) {
    const from = unitOf(file);
    if (!arrows.has(from)) arrows.set(from, new Map());
    for (const target of targets) {
      const to = unitOf(target);
      if (to !== from && !arrows.get(from)!.has(to)) arrows.get(from)!.set(to, `${file} → ${target}`);
    }
  }
  return arrows;
}

const graph = buildImportGraph(SRC);
const drawn = tableArrows(doc);
const actual = unitArrows(graph);

test('no import cycle among the files of src/, type-only imports included', () => {
  expect(graph.size).toBeGreaterThan(50);
  const cycles = findCycles(graph).map(
    ({ files, path }) =>
      `import cycle: ${path.join(' → ')}` +
      (files.length > path.length - 1 ? ` (the cycle ties ${files.length} files: ${files.join(', ')})` : ''),
  );
  expect(cycles).toEqual([]);
});

test(`every import from one room of src/ into another is an arrow of ${DOC}'s table`, () => {
  const undrawn: string[] = [];
  for (const [from, targets] of actual) {
    for (const [to, example] of targets) {
      const why = forbiddenWhy(from, to);
      if (why) undrawn.push(`${example}: ${from} → ${to} is forbidden (${why})`);
      else if (!drawn.get(from)?.has(to))
        undrawn.push(
          `${example}: ${from} → ${to} is not in ${DOC}'s table: turn the import around, or draw the arrow there`,
        );
    }
  }
  expect(undrawn).toEqual([]);
});

test(`${DOC}'s table names every room of src/, and only arrows that exist`, () => {
  expect([...actual.keys()].filter((unit) => !drawn.has(unit)).sort()).toEqual([]);
  expect([...drawn.keys()].filter((unit) => !actual.has(unit)).sort()).toEqual([]);
  const stale = [...drawn].flatMap(([from, targets]) =>
    [...targets].filter((to) => !actual.get(from)?.has(to)).map((to) => `${from} → ${to}`),
  );
  expect(stale).toEqual([]);
});

test(`${DOC}'s table draws no arrow DESIGN forbids, and every arrow points down it (so no room imports itself back)`, () => {
  const wrong = [...drawn].flatMap(([from, targets]) =>
    [...targets].filter((to) => forbiddenWhy(from, to)).map((to) => `${from} → ${to}`),
  );
  expect(wrong).toEqual([]);
  const order = [...drawn.keys()];
  const upward = [...drawn].flatMap(([from, targets]) =>
    [...targets].filter((to) => order.indexOf(to) <= order.indexOf(from)).map((to) => `${from} → ${to}`),
  );
  expect(upward).toEqual([]);
});

test(`${DOC}'s links into src/ land`, () => {
  const links = [...doc.matchAll(/\]\((\.\.\/src[^)#\s]*)/g)].map((m) => m[1]!);
  expect(links.length).toBeGreaterThan(10);
  expect(links.filter((link) => !existsSync(join(REPO, dirname(DOC), link)))).toEqual([]);
});

describe('the graph it checks', () => {
  test('every way of naming a module is an edge: type-only, re-exports, require, import() and import types', () => {
    const text = [
      "import type { A } from './a';",
      "import { type B } from '../b';",
      "export type { C } from './c';",
      "export * from './d';",
      "import e = require('./e');",
      "const f = require('./f');",
      "const g = import('./g');",
      "let h: import('./h').H;",
      "import express from 'express';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(specifiersOf('x.ts', text)).toEqual(['./a', '../b', './c', './d', './e', './f', './g', './h']);
  });

  test('a cycle is found, shown as a closed path, with every file it ties', () => {
    const planted: ImportGraph = new Map([
      ['a.ts', new Set(['b.ts'])],
      ['b.ts', new Set(['c.ts', 'x.ts'])],
      ['c.ts', new Set(['a.ts', 'b.ts'])],
      ['x.ts', new Set<string>()],
      ['self.ts', new Set(['self.ts'])],
    ]);
    expect(findCycles(planted)).toEqual([
      { files: ['a.ts', 'b.ts', 'c.ts'], path: ['a.ts', 'b.ts', 'c.ts', 'a.ts'] },
      { files: ['self.ts'], path: ['self.ts', 'self.ts'] },
    ]);
  });
});
