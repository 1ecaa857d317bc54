/**
 * checkApiUrl normalises a TensorPix API base URL (no trailing slash), or returns
 * undefined unless it is http(s) without credentials, query or fragment: the token must
 * never be sent anywhere odd.
 */
export function checkApiUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
    return undefined;
  return url.toString().replace(/\/+$/, '');
}
