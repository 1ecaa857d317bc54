import { spawnSync } from 'node:child_process';

/** ExternalTool is a program some tests run beside Node, and how to get it. */
export interface ExternalTool {
  /** command is looked for on PATH. */
  command: string;
  /** howToGet names the Debian package (or where else it comes from). */
  howToGet: string;
  /** ciMayLack says why CI may run without it; unset, CI must have it and fails without. */
  ciMayLack?: string;
}

/**
 * EXTERNAL_TOOLS are the programs the tests use that npm does not install, apart from the
 * Prometheus lines' binaries (test/helpers/prometheus-lines.ts). The README's quick start
 * names each of them; a test checks it does.
 */
export const EXTERNAL_TOOLS = {
  chromium: { command: 'chromium', howToGet: 'apt-get install chromium' },
  // tinyproxy-bin is the binary alone; the tinyproxy package would also install a service.
  tinyproxy: { command: 'tinyproxy', howToGet: 'apt-get install tinyproxy-bin' },
  'docker-compose': { command: 'docker-compose', howToGet: 'apt-get install docker-compose' },
  'systemd-analyze': {
    command: 'systemd-analyze',
    howToGet: 'apt-get install systemd',
    ciMayLack: 'a container may run without systemd',
  },
  kubectl: {
    command: 'kubectl',
    howToGet: "Kubernetes' own packages (Debian 12 has none)",
    ciMayLack: 'Debian 12 does not package it',
  },
} as const satisfies Record<string, ExternalTool>;

export type ToolName = keyof typeof EXTERNAL_TOOLS;

const found = new Map<ToolName, string | undefined>();

/** findTool returns the path of a tool's command on PATH, or undefined; it looks once per test file. */
export function findTool(name: ToolName): string | undefined {
  if (!found.has(name)) {
    const result = spawnSync('sh', ['-c', `command -v ${EXTERNAL_TOOLS[name].command}`], {
      encoding: 'utf8',
    });
    found.set(name, result.status === 0 ? result.stdout.trim() || undefined : undefined);
  }
  return found.get(name);
}

const warned = new Set<string>();

/**
 * declareMissing stands in for tests that need a tool that is missing: a skipped test and a
 * warning saying how to get the tool (once per tool and file); with CI set, a failing test
 * instead, since CI must prove what the README promises (unless CI may lack the tool).
 */
export function declareMissing(title: string, missing: string, howToGet: string, ciMayLack?: string): void {
  const why = `${missing} is missing (${howToGet})`;
  if (process.env.CI && !ciMayLack) {
    test(`${title}: ${missing} is installed`, () => {
      throw new Error(`${why}; CI must run: ${title}`);
    });
    return;
  }
  if (!warned.has(why)) console.warn(`${why}; skipping: ${title}`);
  warned.add(why);
  test.skip(`${title} (${missing} missing)`, () => undefined);
}

/** describeWithTool declares `body` with the tool's path when it is found, else declareMissing. */
export function describeWithTool(name: ToolName, title: string, body: (path: string) => void): void {
  const path = findTool(name);
  const tool: ExternalTool = EXTERNAL_TOOLS[name];
  if (path) describe(title, () => body(path));
  else declareMissing(title, name, tool.howToGet, tool.ciMayLack);
}

/** testWithTool declares one test that runs with the tool's path when it is found, else declareMissing. */
export function testWithTool(
  name: ToolName,
  title: string,
  fn: (path: string) => void | Promise<unknown>,
  timeoutMs?: number,
): void {
  const path = findTool(name);
  const tool: ExternalTool = EXTERNAL_TOOLS[name];
  if (path) test(title, async () => void (await fn(path)), timeoutMs);
  else declareMissing(title, name, tool.howToGet, tool.ciMayLack);
}
