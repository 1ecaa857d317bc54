import { parse } from 'yaml';

/**
 * readYamlFile reads and parses a configuration file strictly (duplicate keys are an
 * error). It returns the document, or the one problem that stops it, naming the file and
 * the reader's or parser's code but never the file's content (it may hold secrets).
 */
export function readYamlFile(
  path: string,
  readFile: (path: string) => string,
): { document: unknown } | { problem: string } {
  try {
    return { document: parse(readFile(path), { uniqueKeys: true }) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const unreadable = code !== undefined && /^E[A-Z]+$/.test(code);
    return {
      problem: unreadable
        ? `cannot read ${path} (${code})`
        : `${path} is not valid YAML (${code ?? 'error'})`,
    };
  }
}
