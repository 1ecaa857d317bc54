// C0 and C1 controls, DEL, and Unicode's line and paragraph separators: each could end a
// line, rewrite one (a carriage return, an ANSI escape) or hide text in a terminal.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** escaped is `text` with each unprintable character written as JSON writes it (\n, \u001b). */
const escaped = (text: string) =>
  text.replace(
    UNPRINTABLE,
    (char) => SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * outputLines is the text of lines the exporter prints for people and scripts (the check's
 * verdict, the problems that refuse a start), one line per item: a path or name that
 * holds a line break cannot forge a line of its own, as JSON and logfmt logs escape it too.
 */
export function outputLines(lines: readonly string[]): string {
  return lines.map((line) => `tensorpix-exporter: ${escaped(line)}\n`).join('');
}
