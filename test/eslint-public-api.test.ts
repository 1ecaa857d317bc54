import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The lint rules that keep the code on libraries' public faces (eslint.config.mjs): snippets
// planted as if in a file of the project, linted by ESLint#lintText with the project's own
// configuration. That runs in a child node: the configuration is an ES module, which jest's
// module loader cannot import.
const REPO = join(__dirname, '..');
const GUARDS = ['no-restricted-imports', 'no-restricted-syntax'];
const LINT = `
const { ESLint } = require('eslint');
const guards = new Set(${JSON.stringify(GUARDS)});
const eslint = new ESLint({ cwd: process.cwd() });
const samples = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const out = [];
  for (const { code, filePath } of samples) {
    const [result] = await eslint.lintText(code, { filePath });
    out.push(result.messages
      .filter((m) => guards.has(m.ruleId) && m.severity === 2)
      .map(({ line, message }) => ({ line, message })));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

type Found = Array<{ line: number; message: string }>;
const samples: Array<{ code: string; filePath: string }> = [];
let found: Found[] = [];

/** planted registers `code` to be linted as the file `filePath`; the result is read after beforeAll. */
function planted(code: string, filePath: string): () => Found {
  const index = samples.push({ code, filePath }) - 1;
  return () => found[index]!;
}

const deepImports = [
  "require('undici/lib/api');",
  'require(`undici/lib/api`);',
  "require.resolve('undici/lib/dispatcher/pool');",
  "import { Dispatcher } from 'undici/lib/dispatcher/dispatcher';",
  "import type { Pool } from 'undici/types/pool';",
  "export * from 'prom-client/lib/metric';",
  "export { x } from '@prometheus-io/lezer-promql/dist/index';",
  "import x from '@scope/pkg/sub';",
  "const pino = import('pino/lib/tools');",
  "type Api = typeof import('undici/lib/api');",
].map((code) => ({
  code,
  inSrc: planted(code, 'src/planted.ts'),
  inTest: planted(code, 'test/planted.test.ts'),
}));

const runTimeFlags = [
  "import { setFlagsFromString } from 'node:v8';",
  "require('node:v8').setFlagsFromString('--liftoff-only');",
  "import * as v8 from 'node:v8';\nv8['setFlagsFromString']('--heap-growing-percent=20');",
  "const { setFlagsFromString: set } = require('node:v8');",
].map((code) => ({ code, found: planted(code, 'scripts/planted.js') }));

const privateMembers = [
  'process._getActiveHandles();',
  'declare const socket: { remoteAddress?: string };\nexport const raw = (socket as any)._parent;',
  "declare const socket: object;\nexport const handle = (socket as any)['_handle'];",
  'declare const socket: any;\nconst { _parent } = socket;\nexport { _parent };',
  "import type { Socket } from 'node:net';\nexport type Wrapped = Socket & { _parent?: Socket };",
].map((code) => ({ code, inSrc: planted(code, 'src/planted.ts') }));

const clean = planted(
  [
    "import { request, Agent } from 'undici';",
    "import { Registry } from 'prom-client';",
    "import type { SyntaxNode } from '@lezer/common';",
    "import { parser } from '@prometheus-io/lezer-promql';",
    "import { readFile } from 'node:fs/promises';",
    "import { posix } from 'path/posix';",
    "import { createApp } from './app';",
    "import { helpText } from '../config/flags';",
    "const { TunnelPool } = require('./tunnel-pool');",
    "const yaml = require('yaml');",
    "const bcrypt = require.resolve('bcryptjs');",
    "export const lazy = () => import('undici');",
    "import { getHeapStatistics } from 'node:v8';",
    'export const used = [request, Agent, Registry, readFile, posix, createApp, helpText, TunnelPool, yaml, bcrypt, parser];',
    'export const facts = (socket: { remoteAddress?: string }) => [socket.remoteAddress, getHeapStatistics()];',
    'export type Node = SyntaxNode;',
  ].join('\n'),
  'src/planted.ts',
);
const amongClean = planted(
  "import { request } from 'undici';\nexport const r = request;\nrequire('undici/lib/api');\n",
  'src/tensorpix/planted.ts',
);
const privateInTests = planted(
  'declare const socket: any;\nexport const raw = socket._parent;',
  'test/planted.test.ts',
);

beforeAll(() => {
  found = JSON.parse(
    execFileSync(process.execPath, ['-e', LINT], {
      cwd: REPO,
      input: JSON.stringify(samples),
      encoding: 'utf8',
    }),
  );
}, 60_000);

test.each(deepImports)(
  'a deep import into a package fails lint, in src and tests alike: $code',
  ({ inSrc, inTest }) => {
    const deep = [{ line: 1, message: expect.stringMatching(/internal files/) }];
    expect(inSrc()).toEqual(deep);
    expect(inTest()).toEqual(deep);
  },
);

test.each(runTimeFlags)('setting a V8 flag at run time fails lint: $code', ({ found }) => {
  expect(found()).toEqual([
    expect.objectContaining({ message: expect.stringMatching(/setFlagsFromString/) }),
  ]);
});

test.each(privateMembers)('a `_`-prefixed member fails lint in src: $code', ({ inSrc }) => {
  expect(inSrc()).toEqual([expect.objectContaining({ message: expect.stringMatching(/`_`-prefixed/) })]);
});

test('public entries, Node modules, relative paths and public members pass', () => {
  expect(clean()).toEqual([]);
});

test('the guard reports the planted line among clean ones', () => {
  expect(amongClean()).toEqual([{ line: 3, message: expect.stringMatching(/internal files/) }]);
});

test('`_`-prefixed members are checked in src only (tests may look inside a socket)', () => {
  expect(privateInTests()).toEqual([]);
});
