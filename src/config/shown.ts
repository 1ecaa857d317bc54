/** MAX_SHOWN is how much of a name a message repeats: enough to find it in the file. */
const MAX_SHOWN = 64;

/**
 * shown is how a name from a file (a header, a user) appears in a one-line problem: as it
 * is when it is plain printable ASCII, else quoted as JSON so that a line break, a control
 * or an invisible character cannot break the line or hide; cut at MAX_SHOWN characters.
 */
export function shown(name: string): string {
  const cut = name.length > MAX_SHOWN ? `${name.slice(0, MAX_SHOWN)}…` : name;
  return /^[\x21-\x7e]+$/.test(name) ? cut : JSON.stringify(cut);
}
