import { compare, genSaltSync, getRounds, hashSync } from 'bcryptjs';
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** MAX_CACHED_RESULTS bounds the memory of cached bcrypt verdicts. */
const MAX_CACHED_RESULTS = 1024;

function credentialsOf(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * basicAuth checks HTTP basic auth against bcrypt hashes, as exporter-toolkit does. An
 * unknown user is checked against a decoy hash of the same cost, so a response's timing
 * does not tell which users exist. Verdicts are cached per user, hash and password (by
 * digest, never the password itself), so Prometheus' scrapes cost one bcrypt run, not one
 * each.
 */
export function basicAuth(users: ReadonlyMap<string, string>, excludedPaths: readonly string[]) {
  const firstHash = users.values().next().value as string;
  const decoy = hashSync(randomBytes(16).toString('hex'), genSaltSync(getRounds(firstHash)));
  const verdicts = new Map<string, boolean>();

  const check = async (user: string, password: string): Promise<boolean> => {
    const hash = users.get(user);
    const key = createHash('sha256')
      .update(`${user}\0${hash ?? decoy}\0${password}`)
      .digest('hex');
    const cached = verdicts.get(key);
    if (cached !== undefined) return cached;
    const matches = (await compare(password, hash ?? decoy)) && hash !== undefined;
    if (verdicts.size >= MAX_CACHED_RESULTS) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(key, matches);
    return matches;
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    if (excludedPaths.includes(req.path)) return next();
    const credentials = credentialsOf(req.get('authorization'));
    if (credentials && (await check(credentials.user, credentials.password))) return next();
    res.set('WWW-Authenticate', 'Basic realm="tensorpix-exporter", charset="UTF-8"');
    res.status(401).type('text/plain').send('Unauthorized\n');
  };
}
