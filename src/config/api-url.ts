import { fail, ok, type Result } from '../result';

/**
 * checkApiUrl normalises a TensorPix API base URL (no trailing slash). It must be http(s)
 * without credentials, query or fragment: the token must never be sent anywhere odd.
 */
export function checkApiUrl(text: string): Result<string> {
  const problem = fail('must be an http:// or https:// URL without credentials, query or fragment');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem;
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
    return problem;
  return ok(url.toString().replace(/\/+$/, ''));
}
