import { fail, ok, type Result } from '../result';

const RULE = 'must be an http:// or https:// URL without credentials, query or fragment';

/**
 * checkApiUrl normalises a TensorPix API base URL (no trailing slash). It must be http(s)
 * without credentials, query or fragment: the token must never be sent anywhere odd. The
 * text is read as written, not only as the URL parser leaves it: the parser drops an empty
 * query (`http://host/?`), an empty fragment, an empty `user@` and any tab or line break
 * without a word, and the API would then be asked `GET /?/api/…`. The problem names the
 * reason, never the URL (its user part may hold a password).
 */
export function checkApiUrl(text: string): Result<string> {
  const problem = (reason: string) => fail(`${RULE}: ${reason}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('it is not a URL');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(text)) return problem('it holds a space, tab, line break or control character');
  if (!/^https?:$/.test(url.protocol)) return problem(`its scheme is ${url.protocol.slice(0, 16)}`);
  // A "?" anywhere starts a query and a "#" a fragment, whatever follows them.
  if (text.includes('?')) return problem('it holds a query ("?")');
  if (text.includes('#')) return problem('it holds a fragment ("#")');
  // The authority runs to the first "/", "\" (a slash to the parser in http URLs), "?" or "#".
  const authority = /^[a-z][a-z0-9+.-]*:[/\\]*([^/\\?#]*)/i.exec(text)?.[1] ?? '';
  if (url.username || url.password || authority.includes('@')) return problem('it holds credentials ("@")');
  if (url.port === '0') return problem('its port is 0, which cannot be connected to');
  return ok(url.toString().replace(/\/+$/, ''));
}
