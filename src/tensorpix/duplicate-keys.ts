/**
 * hasDuplicateKey tells whether any object in a JSON text (already accepted by
 * JSON.parse) names a key twice. JSON.parse keeps the last one silently, so
 * `{"balance_usd":"x","balance_usd":"2"}` would read as 2; the API never sends that, and
 * a body we cannot read one way only is not a balance. Keys are compared decoded, so
 * `"balance\u005fusd"` is the same key.
 */
export function hasDuplicateKey(json: string): boolean {
  // One set of keys for each object being read, innermost last; an array pushes none.
  const open: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const keys = open[open.length - 1]!;
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(undefined);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open[open.length - 1] !== undefined;
    }
  }
  return false;
}
