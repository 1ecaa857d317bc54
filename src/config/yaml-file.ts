import { fail, ok, type Result } from '../result';
import type { FileReader } from './sources';
import { describeReadError } from '../regular-file';
import { looksLikeToken } from '../accounts/token-file';

/** MAX_CONFIG_FILE_BYTES caps what is read of a configuration file (YAML, PEM). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * readConfigFile reads a configuration file, or gives the one problem that stops it,
 * naming the file and why (`ENOENT`, `a FIFO, not a regular file`), never its content.
 * `given` is the path as the setting wrote it, before it was made absolute: when it looks
 * like a secret pasted in the path's place (a token, user:password), the problem does not
 * repeat it (the caller's prefix names the setting).
 */
export function readConfigFile(path: string, readFile: FileReader, given = path): Result<string> {
  try {
    return ok(readFile(path, MAX_CONFIG_FILE_BYTES));
  } catch (error) {
    const why = describeReadError(error);
    return fail(
      looksLikeToken(given)
        ? `cannot read the file it names (${why}); the name looks like a secret (a token or user:password), so it is not repeated: give the file's path`
        : `cannot read ${path} (${why})`,
    );
  }
}

/**
 * readYamlFile reads and parses a configuration file strictly (duplicate keys are an
 * error). Problems name the file, the parser's code and a line, never the file's content
 * (it may hold secrets). What the parser would only warn about is a problem too: an
 * unknown tag (`!secret`) would be dropped and a list or mapping used as a key turned into
 * a string, so the file would not say what it seems to; and the parser's own warning,
 * printed by Node past the logger, would quote the file.
 */
export function readYamlFile(path: string, readFile: FileReader): Result<unknown> {
  const text = readConfigFile(path, readFile);
  if (!text.ok) return text;
  try {
    // Loaded here, not at start: a single-account exporter reads no YAML and need not carry it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('yaml') as typeof import('yaml');
    const lineCounter = new yaml.LineCounter();
    // logLevel 'error': nothing goes to process.emitWarning; warnings are read below.
    const document = yaml.parseDocument(text.value, { uniqueKeys: true, logLevel: 'error', lineCounter });
    const [error] = document.errors;
    if (error) return fail(`${path} is not valid YAML (${error.code})`);
    const problem = notPlain(yaml, document, (offset) => lineCounter.linePos(offset).line);
    if (problem) return fail(`${path} is not plain YAML: ${problem}`);
    return ok(document.toJS() as unknown);
  } catch (error) {
    return fail(`${path} is not valid YAML (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/** notPlain says where a parsed document leaves plain YAML: a warning, or a collection as a key. */
function notPlain(
  yaml: typeof import('yaml'),
  document: import('yaml').Document.Parsed,
  lineOf: (offset: number) => number,
): string | undefined {
  const [warning] = document.warnings;
  if (warning) {
    const line = lineOf(warning.pos[0]);
    return warning.code === 'TAG_RESOLVE_FAILED'
      ? `line ${line} has a tag the exporter does not know (${warning.code}); write the value without it`
      : `line ${line} (${warning.code})`;
  }
  let keyAt: number | undefined;
  yaml.visit(document, {
    Pair(_, pair) {
      const key = yaml.isAlias(pair.key) ? pair.key.resolve(document) : pair.key;
      if (!yaml.isCollection(key)) return undefined;
      keyAt = (yaml.isNode(pair.key) && pair.key.range?.[0]) || 0;
      return yaml.visit.BREAK;
    },
  });
  return keyAt === undefined
    ? undefined
    : `line ${lineOf(keyAt)} has a list or mapping as a key (COLLECTION_KEY); a key is a name`;
}
