import type * as Undici from 'undici';
import { isWasmOutOfMemory, refuseWithoutWasmMemory } from './wasm-memory';

let loaded: typeof Undici | undefined;

/**
 * undici is the undici package, through its public entry, loaded when first asked for
 * (the start-up check of its parser, see parser-check.ts) rather than with the modules that
 * import the client: a `--help`, `--version` or `--config.check` never pays its load time.
 */
export function undici(): typeof Undici {
  if (loaded) return loaded;
  // On Node 20 and 22, undici's entry reads globalThis.Headers, which loads Node's own copy
  // of undici; that copy builds its HTTP parser at once, and a failure to (see
  // wasm-memory.ts) is a promise rejection no caller can handle. It is named here, before
  // the process's generic handler would report it as an unexplained crash.
  process.prependListener('unhandledRejection', (reason) => {
    if (isWasmOutOfMemory(reason)) refuseWithoutWasmMemory();
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded = require('undici') as typeof Undici);
}
