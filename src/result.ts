/**
 * Result is what every parser and checker returns: the value, or every problem found,
 * each one line in our own words (never a token, never upstream text). One convention
 * so that a caller can always gather problems the same way.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (...problems: string[]): { ok: false; problems: string[] } => ({ ok: false, problems });

/** collect adds a result's problems to `problems` and returns its value, if any. */
export function collect<T>(result: Result<T>, problems: string[], prefix = ''): T | undefined {
  if (result.ok) return result.value;
  problems.push(...result.problems.map((problem) => prefix + problem));
  return undefined;
}
