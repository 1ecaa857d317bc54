import { fail, ok, type Result } from '../result';
import type { FileReader } from './sources';
import { describeReadError } from '../regular-file';

/** MAX_CONFIG_FILE_BYTES caps what is read of a configuration file (YAML, PEM). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * readConfigFile reads a configuration file, or gives the one problem that stops it,
 * naming the file and why (`ENOENT`, `a FIFO, not a regular file`), never its content.
 */
export function readConfigFile(path: string, readFile: FileReader): Result<string> {
  try {
    return ok(readFile(path, MAX_CONFIG_FILE_BYTES));
  } catch (error) {
    return fail(`cannot read ${path} (${describeReadError(error)})`);
  }
}

/**
 * readYamlFile reads and parses a configuration file strictly (duplicate keys are an
 * error). Problems name the file and the parser's code, never the file's content (it may
 * hold secrets).
 */
export function readYamlFile(path: string, readFile: FileReader): Result<unknown> {
  const text = readConfigFile(path, readFile);
  if (!text.ok) return text;
  try {
    // Loaded here, not at start: a single-account exporter reads no YAML and need not carry it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require('yaml') as typeof import('yaml');
    return ok(parse(text.value, { uniqueKeys: true }) as unknown);
  } catch (error) {
    return fail(`${path} is not valid YAML (${(error as { code?: string }).code ?? 'error'})`);
  }
}
