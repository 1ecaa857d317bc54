import { validateHeaderName, validateHeaderValue } from 'node:http';

// exporter-toolkit accepts only these headers, with these values where it restricts them.
const HEADERS: Record<string, { pattern: RegExp; rule: string } | undefined> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': { pattern: /^(deny|sameorigin)$/i, rule: 'deny or sameorigin' },
  'X-Content-Type-Options': { pattern: /^nosniff$/i, rule: 'nosniff' },
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

// What Node refuses in a header value (its own check, checkInvalidHeaderChar): used only to
// say where, once validateHeaderValue has refused the value.
const REFUSED_CHAR = /[^\t\x20-\x7e\x80-\xff]/u;
const TYPOGRAPHIC_QUOTES = /[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb]/u;

const codeOf = (error: unknown) => (error as { code?: unknown }).code ?? 'error';

/**
 * headerProblem checks one http_server_config.headers entry with Node's own checks
 * (http.validateHeaderName and validateHeaderValue), the ones every response would run
 * into: a value Node refuses (a typographic quote pasted from a web page, a line break)
 * would otherwise pass the check and make every answer a 500 with ERR_INVALID_CHAR. The
 * message names the header and the character, never the value. An empty value is valid:
 * the header is then not sent.
 */
export function headerProblem(name: string, value: unknown): string | undefined {
  const where = 'http_server_config.headers:';
  try {
    validateHeaderName(name);
  } catch (error) {
    return `${where} ${JSON.stringify(name.slice(0, 64))} is not a valid HTTP header name (${codeOf(error)})`;
  }
  // Own keys only: `in` would take __proto__, constructor or toString for allowed headers.
  if (!Object.hasOwn(HEADERS, name))
    return `${where} ${name} cannot be set (allowed: ${Object.keys(HEADERS).join(', ')})`;
  if (typeof value !== 'string') return `${where} ${name} must be text (put the value in quotes)`;
  if (value === '') return undefined;
  try {
    validateHeaderValue(name, value);
  } catch (error) {
    const match = REFUSED_CHAR.exec(value);
    if (!match) return `${where} ${name} has a value Node cannot send (${codeOf(error)})`;
    const char = match[0];
    const codePoint = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const hint = TYPOGRAPHIC_QUOTES.test(char)
      ? `, a typographic quote: write ' or " instead`
      : char === '\r' || char === '\n'
        ? ', a line break: give the value on one line'
        : '';
    // Characters, not UTF-16 units, so the position matches what an editor shows.
    const position = [...value.slice(0, match.index)].length + 1;
    return `${where} ${name} holds ${codePoint} at character ${position}, which an HTTP header cannot carry (${codeOf(error)})${hint}`;
  }
  const restricted = HEADERS[name];
  if (restricted && !restricted.pattern.test(value))
    return `${where} ${name} has an invalid value (allowed: ${restricted.rule})`;
  return undefined;
}
