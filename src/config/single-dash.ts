import { FLAGS, type FlagSpec } from './flags';

/** ArgProblem is a problem with one command-line argument, at its 1-based position. */
export interface ArgProblem {
  position: number;
  problem: string;
}

/** FLAG_FORMS is how every message about a malformed argument says what a flag looks like. */
export const FLAG_FORMS = 'flags take the form --name=value or --name value';

/** TOKEN_HINT follows a flag whose name asks for a token, which is never a flag. */
export const TOKEN_HINT = ' (a token is never a flag: use TENSORPIX_API_TOKEN or --tensorpix.token-file)';

const SINGLE_DASH = /^-[^-]/;

/** flagNamed finds the flag a name means, `no-<boolean>` included (as kingpin reads it). */
export function flagNamed(name: string): { flag: FlagSpec; negated: boolean } | undefined {
  const flag = FLAGS.find((f) => f.name === name);
  if (flag) return { flag, negated: false };
  const negated = name.startsWith('no-') ? FLAGS.find((f) => f.name === name.slice(3)) : undefined;
  return negated?.type === 'boolean' ? { flag: negated, negated: true } : undefined;
}

/** takesNextArgument tells whether util.parseArgs reads the argument after `arg` as its value. */
const takesNextArgument = (arg: string) =>
  arg.startsWith('--') &&
  !arg.includes('=') &&
  FLAGS.some((f) => f.type === 'string' && `--${f.name}` === arg);

/**
 * setAsideSingleDash takes the arguments written with one dash (Go's flag package style,
 * `-web.listen-address=:10864`) out of argv, since util.parseArgs reads such an argument as
 * a group of one-letter flags and reports each letter, and reports each in one line that
 * names the two-dash flag meant. `-h`, a lone `-`, values of the flag before them and
 * everything after `--` stay. `positions` maps what is left to its 1-based position in argv.
 */
export function setAsideSingleDash(argv: readonly string[]): {
  args: string[];
  positions: number[];
  problems: ArgProblem[];
} {
  const args: string[] = [];
  const positions: number[] = [];
  const problems: ArgProblem[] = [];
  let isValue = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' && !isValue) {
      args.push(...argv.slice(i));
      positions.push(...argv.slice(i).map((_, j) => i + j + 1));
      break;
    }
    if (isValue || !SINGLE_DASH.test(arg) || arg === '-h') {
      isValue = !isValue && takesNextArgument(arg);
      args.push(arg);
      positions.push(i + 1);
      continue;
    }
    const name = arg.slice(1).split('=')[0]!;
    const meant = flagNamed(name);
    problems.push({ position: i + 1, problem: singleDashProblem(name, meant?.flag, i + 1) });
    // Go's `-name value`: the value of a string flag is the next argument; it goes with its flag.
    const next = argv[i + 1];
    if (meant?.flag.type === 'string' && !arg.includes('=') && next !== undefined && !next.startsWith('-'))
      i++;
  }
  return { args, positions, problems };
}

/**
 * singleDashProblem words a one-dash argument. A flag's name is repeated with its two-dash
 * form; anything else is named by its position only, as it may be a token pasted in by mistake.
 */
function singleDashProblem(name: string, flag: FlagSpec | undefined, position: number): string {
  if (flag) return `unknown flag -${name} (flags take two dashes: --${name})`;
  if (/^[a-z0-9.-]*token$/i.test(name)) return `unknown flag -${name}${TOKEN_HINT}`;
  if (/^[a-zA-Z]$/.test(name)) return `unknown flag -${name}`;
  return `unexpected argument at position ${position}: it starts with one dash; ${FLAG_FORMS}`;
}
