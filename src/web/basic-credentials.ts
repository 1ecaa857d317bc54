/** Credentials are the user and password of an HTTP basic Authorization header. */
export interface Credentials {
  user: string;
  password: string;
}

// fatal: bytes that are not UTF-8 are refused, not replaced with U+FFFD (the one byte 0xFF
// would otherwise match a password of "\uFFFD"); ignoreBOM keeps a leading U+FEFF as sent.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * credentialsOf reads `Basic base64(user:password)` (RFC 7617 with charset="UTF-8", which
 * the WWW-Authenticate challenge announces). Credentials are compared as UTF-8 text, as
 * exporter-toolkit compares Go strings; anything that is not well-formed UTF-8 is no
 * credentials at all, so it is refused before bcrypt runs.
 */
export function credentialsOf(header: string | undefined): Credentials | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(match[1]!, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
