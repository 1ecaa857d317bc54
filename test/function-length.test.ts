import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './helpers/import-graph';

// A function a reader can hold in their head: none in src/ runs over MAX_LINES. One that must
// (a table, a state machine that reads best whole) goes in LONG_BY_REASON with its reason,
// which its own comment repeats.

const SRC = join(__dirname, '..', 'src');
const MAX_LINES = 60;

/** LONG_BY_REASON maps `file:name` to why that function is longer than MAX_LINES. */
const LONG_BY_REASON: ReadonlyMap<string, string> = new Map();

/** nameOf is a function's name, or the name of what it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText();
  return '(anonymous)';
}

/** longFunctions lists each function of a file over `maxLines`, with its length. */
function longFunctions(file: string, text: string, maxLines: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > maxLines)
        found.push(`${file}:${nameOf(node as ts.FunctionLikeDeclaration)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test(`no function in src/ runs over ${MAX_LINES} lines without a reason`, () => {
  const long = sourceFiles(SRC).flatMap((file) =>
    longFunctions(file, readFileSync(join(SRC, file), 'utf8'), MAX_LINES),
  );
  expect(long.filter((entry) => !LONG_BY_REASON.has(entry.replace(/ \(\d+ lines\)$/, '')))).toEqual([]);
});

test('the count sees functions, methods and arrows, named by what holds them', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = [
    `export function long() {\n${body(61)}\n}`,
    `const arrow = () => {\n${body(61)}\n};`,
    `class C {\n  method() {\n${body(61)}\n  }\n}`,
    `function short() {\n${body(58)}\n}`,
  ].join('\n');
  expect(longFunctions('x.ts', text, MAX_LINES)).toEqual([
    'x.ts:long (63 lines)',
    'x.ts:arrow (63 lines)',
    'x.ts:method (63 lines)',
  ]);
});
