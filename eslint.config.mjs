import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Only a library's public face: what its maintainers keep working across
// releases. A package's internal files (`undici/lib/...`), Node's `_`-prefixed members and V8
// flags set at run time are not, and break silently on an upgrade.

/**
 * PUBLIC_SUBPATHS are the `<pkg>/<subpath>` imports allowed: each one a subpath its package
 * declares in its `exports` map (none needed yet), and Node's own (`fs/promises`; the project
 * writes them `node:fs/promises`, which is never taken for a package).
 */
const PUBLIC_SUBPATHS = [...builtinModules.filter((name) => name.includes('/'))];
const allowed = PUBLIC_SUBPATHS.map((subpath) => `(?!${subpath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)`);
/** DEEP matches a package name followed by a path into it: `pkg/x`, `@scope/pkg/x`. */
const DEEP = `^(?!node:)${allowed.join('')}(?:@[^/]+/)?[^./@][^/]*/`;
// The same pattern in a selector: esquery's regular expressions end at the first slash.
const DEEP_IN_SELECTOR = `/${DEEP.replaceAll('/', '\\x2F')}/`;
const DEEP_MESSAGE = "reaches into a package's internal files: use its public entry (its name alone)";

/** calls that load a module by name: require(), require.resolve() and import(). */
const deepLoads = [
  `CallExpression[callee.name='require'][arguments.0.value=${DEEP_IN_SELECTOR}]`,
  `CallExpression[callee.name='require'][arguments.0.quasis.0.value.raw=${DEEP_IN_SELECTOR}]`,
  `CallExpression[callee.object.name='require'][callee.property.name='resolve'][arguments.0.value=${DEEP_IN_SELECTOR}]`,
  `ImportExpression[source.value=${DEEP_IN_SELECTOR}]`,
  `TSExternalModuleReference[expression.value=${DEEP_IN_SELECTOR}]`,
  `TSImportType[argument.literal.value=${DEEP_IN_SELECTOR}]`,
].map((selector) => ({ selector, message: `A deep import ${DEEP_MESSAGE}.` }));

/** V8 flags are read at start; Node calls setting them later undefined behaviour. */
const runTimeFlags = [
  `ImportSpecifier[imported.name='setFlagsFromString']`,
  `MemberExpression[property.name='setFlagsFromString']`,
  `MemberExpression[property.value='setFlagsFromString']`,
  `ObjectPattern > Property[key.name='setFlagsFromString']`,
].map((selector) => ({
  selector,
  message:
    "v8.setFlagsFromString: give V8 options to node on the command line instead (see src/main.ts's first line).",
}));

/** Node's own `_`-prefixed members (`_parent`, `_handle`, `process._getActiveHandles`) are private. */
const privateMembers = [
  'MemberExpression[property.name=/^_/]',
  'MemberExpression[computed=true][property.value=/^_/]',
  'ObjectPattern > Property[key.name=/^_/]',
  'TSPropertySignature[key.name=/^_/]',
].map((selector) => ({
  selector,
  message: '`_`-prefixed members are private to Node (and to every library): use a public API.',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [{ regex: DEEP, message: `It ${DEEP_MESSAGE}.` }] }],
      'no-restricted-syntax': ['error', ...deepLoads, ...runTimeFlags],
    },
  },
  {
    files: ['src/**'],
    rules: { 'no-restricted-syntax': ['error', ...deepLoads, ...runTimeFlags, ...privateMembers] },
  },
  {
    files: ['scripts/**', 'test/**', 'e2e/**', '*.js'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
