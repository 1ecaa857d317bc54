/** NodeLine is what nodeSupportWarning says about one Node.js release line. */
interface NodeLine {
  /** endOfLife is the day the Node.js project stopped fixing the line (security fixes included). */
  endOfLife?: string;
}

/**
 * NODE_LINES are the release lines CI runs the whole suite on (scripts/test-node-lines.sh),
 * as package.json's engines and docs/tested-versions.md name them. 20 still runs
 * every test, on the machine's own node, but gets no more fixes from Node.js.
 */
export const NODE_LINES: Readonly<Record<number, NodeLine>> = {
  20: { endOfLife: '2026-04-30' },
  22: {},
  24: {},
  26: {},
};

const TESTED = Object.keys(NODE_LINES)
  .filter((major) => !NODE_LINES[Number(major)]!.endOfLife)
  .join(', ');

/**
 * nodeSupportWarning returns the one line to warn with when the exporter runs on a Node.js
 * line past its end of life or one the tests do not cover, or undefined on a tested line.
 * It takes process.versions (or a test's stand-in) and only reads `node`.
 */
export function nodeSupportWarning(versions: { readonly node: string }): string | undefined {
  const major = Number(/^(\d+)\./.exec(versions.node)?.[1]);
  const line = NODE_LINES[major];
  if (line?.endOfLife)
    return `Node.js ${versions.node}: the ${major} line reached its end of life on ${line.endOfLife} and gets no more security fixes; run Node.js ${TESTED}`;
  if (!line) return `Node.js ${versions.node} is not a line this exporter is tested on (${TESTED}, and 20)`;
  return undefined;
}
