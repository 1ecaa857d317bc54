import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

// V8 reads its heap options only at start, from the node command line, so every documented
// way of starting the exporter must give them to node the same way (src/main.ts says why). The ways that run the image (compose, Kubernetes) or the
// installed command (systemd) must then not replace its entrypoint or its first line.
// npm-scripts.test.ts and npm-package.test.ts check the option on the running process.
const REPO = join(__dirname, '..');
const OPTIONS = ['--max-semi-space-size=2', '--heap-growing-percent=20'];
const OPTION_TEXT = OPTIONS.join(' ');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/**
 * nodeRuns finds each `node [options] <something>dist/main.js` in a text, with the options
 * given to node (those before the script).
 */
function nodeRuns(text: string): Array<{ options: string[]; line: string }> {
  return [...text.matchAll(/\bnode((?:\s+-[^\s`'"]+)*)\s+\S*dist\/main\.js/g)].map((match) => ({
    options: match[1]!.trim().split(/\s+/).filter(Boolean),
    line: match[0],
  }));
}

test('the installed command gives node the option in its first line, and the build keeps that line', () => {
  const shebang = `#!/usr/bin/env -S node ${OPTION_TEXT}`;
  expect(Object.values(pkg.bin)).toEqual(['dist/main.js']);
  expect(read('src/main.ts').split('\n')[0]).toBe(shebang);
  // pretest builds dist/: tsc copies the first line as it is.
  expect(read('dist/main.js').split('\n')[0]).toBe(shebang);
});

test('every npm script that starts the exporter gives node the options', () => {
  const starting = Object.entries(pkg.scripts).filter(([, command]) => command.includes('dist/main.js'));
  expect(starting.map(([name]) => name).sort()).toEqual(['demo', 'start']);
  for (const [name, command] of starting)
    expect({ name, runs: nodeRuns(command).map((run) => run.options) }).toEqual({ name, runs: [OPTIONS] });
});

test("the image's entrypoint gives node the option, and nothing else in the Dockerfile starts the exporter", () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^(ENTRYPOINT|CMD)\b/.test(line));
  expect(instructions).toEqual([
    'ENTRYPOINT ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "/app/dist/main.js"]',
    'CMD []',
  ]);
});

test('the systemd unit runs the installed command, whose first line gives the options', () => {
  const execStart = read('deploy/systemd/tensorpix-exporter.service')
    .split('\n')
    .filter((line) => line.startsWith('ExecStart='));
  expect(execStart).toHaveLength(1);
  const [program] = execStart[0]!.slice('ExecStart='.length).split(/\s+/);
  expect(program!.split('/').pop()).toBe(Object.keys(pkg.bin)[0]);
});

test('compose and Kubernetes run the image as it is: no entrypoint or command of their own', () => {
  const compose = parse(read('deploy/docker-compose.yml')) as {
    services: Record<string, { image?: string; build?: unknown; entrypoint?: unknown }>;
  };
  const exporter = Object.values(compose.services).filter((service) => service.build !== undefined);
  expect(exporter).toHaveLength(1);
  expect(exporter[0]!.entrypoint).toBeUndefined();

  const containers = readdirSync(join(REPO, 'deploy', 'kubernetes'))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(read(join('deploy', 'kubernetes', file))).map((doc) => doc.toJS()))
    .flatMap(
      (doc) => (doc?.spec?.template?.spec?.containers ?? []) as Array<{ image: string; command?: unknown }>,
    )
    .filter((container) => container.image.startsWith('tensorpix-exporter'));
  expect(containers).toHaveLength(1);
  // A `command` would replace the image's ENTRYPOINT, option and all (`args` only replaces CMD).
  expect(containers[0]!.command).toBeUndefined();
});

test("every command in the README and docs/ that runs dist/main.js gives node the option (the 'real account' line too)", () => {
  const readme = read('README.md');
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => read(join('docs', file)));
  const runs = nodeRuns([readme, ...docs].join('\n'));
  expect(runs.map((run) => run.line)).toEqual(
    expect.arrayContaining([`node ${OPTION_TEXT} dist/main.js`, `node ${OPTION_TEXT} /app/dist/main.js`]),
  );
  expect(runs.filter((run) => run.options.join(' ') !== OPTION_TEXT)).toEqual([]);
  // The line the issue found without it.
  expect(readme).toMatch(
    /^TENSORPIX_API_TOKEN_FILE=\/path\/to\/token node --max-semi-space-size=2 --heap-growing-percent=20 dist\/main\.js$/m,
  );
});

test('no documented way sets NODE_OPTIONS, so the command line is the one place the option lives', () => {
  const files = [
    'Dockerfile',
    'package.json',
    'deploy/systemd/tensorpix-exporter.service',
    'deploy/docker-compose.yml',
    ...readdirSync(join(REPO, 'deploy', 'kubernetes')).map((file) => join('deploy', 'kubernetes', file)),
  ];
  expect(files.filter((file) => read(file).includes('NODE_OPTIONS'))).toEqual([]);
});

test('nodeRuns reads the options given to node, not those given to the exporter', () => {
  expect(nodeRuns('x=1 node dist/main.js --demo')).toEqual([{ options: [], line: 'node dist/main.js' }]);
  expect(nodeRuns('`node --a=1 --b /app/dist/main.js`').map((run) => run.options)).toEqual([
    ['--a=1', '--b'],
  ]);
});
