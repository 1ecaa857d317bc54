/** Mapping is a YAML mapping as the parser gives it. */
export type Mapping = Record<string, unknown>;

/** isMapping tells a YAML mapping from a list, a scalar or null. */
export const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** stringList reads a list of strings (absent or null is empty); anything else is a problem naming `name`. */
export function stringList(value: unknown, name: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  problems.push(`${name} must be a list of strings`);
  return [];
}
