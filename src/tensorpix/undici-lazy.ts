import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/**
 * undici is the undici package, through its public entry, loaded when first asked for
 * (the start-up check of its parser, see parser-check.ts) rather than with the modules that
 * import the client: a `--help`, `--version` or `--config.check` never pays its load time.
 */
export function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('undici') as typeof Undici);
}
