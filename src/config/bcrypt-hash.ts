/**
 * BCRYPT_COSTS is the range of bcrypt costs basic_auth_users accepts. bcrypt itself stops
 * at 4 below; above, each step doubles the time of a check. The exporter's first check
 * after a start costs two runs (its worker's decoy hash, then the check), inside a scrape
 * (Prometheus' default timeout is 10 s). Measured with bcryptjs on a shared two-core host
 * (scripts/bcrypt-costs.js; docs/security.md's "Protecting /metrics" has the table): a run of
 * cost 12 takes 0.21–0.26 s at a load average of 4 and 0.7–1.4 s at 14,
 * so the first check fits a scrape either way; 13 takes twice that, 14 3.4–3.7 s loaded
 * (a first check of 7 s), and 31 some days, both cores busy from the start.
 */
export const BCRYPT_COSTS = { min: 4, max: 12 } as const;

// What bcryptjs checks: $2a$, $2b$ or $2y$ (it refuses $2x$, and a $2$ hash, 59 characters,
// never matches), a two-digit cost, then 22 characters of salt and 31 of hash.
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const VERSION = /^\$(2[^$]{0,2})\$/;

/**
 * bcryptHashProblem says what is wrong with a basic_auth_users hash for bcryptjs and for a
 * scrape, or nothing. It never repeats the hash: it still stands for a password. Only its
 * version prefix and cost, which tell nothing of the password, are named.
 */
export function bcryptHashProblem(hash: unknown): string | undefined {
  const make = `make it anew with: htpasswd -nBC 10 "" | tr -d ':\\n'`;
  if (typeof hash !== 'string') return 'is not a bcrypt hash';
  const match = BCRYPT_HASH.exec(hash);
  if (!match) {
    const version = VERSION.exec(hash)?.[1];
    if (version !== undefined && !/^2[aby]$/.test(version) && /^[\x21-\x7e]*$/.test(version))
      return `is a bcrypt hash of version $${version}$, which cannot be checked (only $2a$, $2b$ and $2y$ can); ${make}`;
    return 'is not a bcrypt hash';
  }
  const cost = Number(match[1]);
  if (cost < BCRYPT_COSTS.min)
    return `is a bcrypt hash of cost ${cost}, below ${BCRYPT_COSTS.min}, which bcrypt refuses; ${make}`;
  if (cost > BCRYPT_COSTS.max)
    return `is a bcrypt hash of cost ${cost}, above ${BCRYPT_COSTS.max}: a check would take longer than a scrape may; ${make}`;
  return undefined;
}
