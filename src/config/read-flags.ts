import { parseArgs } from 'node:util';
import { envName, FLAGS } from './flags';
import type { ConfigSources } from './sources';
import { FLAG_FORMS, flagNamed, setAsideSingleDash, TOKEN_HINT, type ArgProblem } from './single-dash';

/**
 * readFlags merges the command line over the environment and reports bad flags, in the
 * order they stand on the command line. A flag given twice takes its last value, as
 * kingpin does (`npm run demo -- --log.format=json` overrides the script's format); a
 * boolean is turned off with `--no-<flag>`. The names of flags given on the command line
 * are added to `onCommandLine`, for the checks of values that must not be visible to other
 * users through ps.
 */
export function readFlags(
  sources: Pick<ConfigSources, 'argv' | 'env'>,
  problems: string[],
  onCommandLine: Set<string>,
): Map<string, string> | 'help' | 'version' {
  const given = new Map<string, string>();
  for (const flag of FLAGS) {
    const variable = variableOf(flag.name, sources.env);
    if (variable !== undefined) given.set(flag.name, sources.env[variable]!);
  }

  const { args, positions, problems: argProblems } = setAsideSingleDash(sources.argv);
  const options = Object.fromEntries(FLAGS.map((flag) => [flag.name, { type: flag.type }]));
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const report = (index: number, problem: string) =>
    argProblems.push({ position: positions[index]!, problem });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      // The argument itself is not repeated: it may be a token pasted in by mistake.
      report(token.index, `unexpected argument at position ${positions[token.index]}: ${FLAG_FORMS}`);
      continue;
    }
    if (token.kind !== 'option') continue;
    if (token.name === 'help' || token.name === 'version') return token.name;
    const meant = flagNamed(token.name);
    if (token.name === '' || token.name.startsWith('=')) {
      report(token.index, `unexpected argument at position ${positions[token.index]}: a flag without a name`);
    } else if (!meant) {
      report(token.index, `unknown flag --${token.name}${unknownHint(token.name)}`);
    } else if (meant.negated) {
      if (token.value !== undefined) report(token.index, `flag --${token.name} takes no value`);
      else given.set(meant.flag.name, 'false');
      onCommandLine.add(meant.flag.name);
    } else if (meant.flag.type === 'boolean') {
      given.set(meant.flag.name, token.value ?? 'true');
      onCommandLine.add(meant.flag.name);
    } else if (token.value === undefined || (token.inlineValue === false && token.value.startsWith('--'))) {
      report(token.index, `flag --${token.name} needs a value`);
    } else {
      given.set(meant.flag.name, token.value);
      onCommandLine.add(meant.flag.name);
    }
  }
  problems.push(...inOrder(argProblems));
  return given;
}

/** variableOf names the environment variable that sets a flag (its own, else an alias), if one does. */
function variableOf(name: string, env: ConfigSources['env']): string | undefined {
  const flag = FLAGS.find((f) => f.name === name);
  return [envName(name), ...(flag?.envAliases ?? [])].find((v) => env[v] !== undefined && env[v] !== '');
}

/** sourceOf says where a flag's value came from, as an operator would write it: `--name` or its variable. */
export function sourceOf(
  name: string,
  sources: Pick<ConfigSources, 'env'>,
  onCommandLine: ReadonlySet<string>,
): string {
  return onCommandLine.has(name) ? `--${name}` : (variableOf(name, sources.env) ?? `--${name}`);
}

/** unknownHint helps with the unknown flags people actually type. */
function unknownHint(name: string): string {
  if (/token$/.test(name)) return TOKEN_HINT;
  const negated = name.startsWith('no-') && FLAGS.find((f) => f.name === name.slice(3));
  if (negated) return ` (only a boolean flag can be negated; give --${negated.name}=VALUE)`;
  return '';
}

/** inOrder lists problems in the order of the arguments (a stable sort keeps each one's own order). */
const inOrder = (problems: ArgProblem[]) =>
  [...problems].sort((a, b) => a.position - b.position).map(({ problem }) => problem);
