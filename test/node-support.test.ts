import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_LINES, nodeSupportWarning } from '../src/node-support';
import { startExporter } from './helpers/child';

test('Node 20 gets one line that names its end of life and the lines to move to', () => {
  expect(nodeSupportWarning({ node: '20.18.1' })).toBe(
    'Node.js 20.18.1: the 20 line reached its end of life on 2026-04-30 and gets no more security fixes; run Node.js 22, 24, 26',
  );
});

test.each(['22.23.5', '24.22.3', '26.12.1', '22.0.0'])('a tested line (%s) gets no warning', (node) => {
  expect(nodeSupportWarning({ node })).toBeUndefined();
});

test.each(['23.11.0', '28.0.0', '18.20.4'])('a line the tests do not cover (%s) is named as such', (node) => {
  expect(nodeSupportWarning({ node })).toBe(
    `Node.js ${node} is not a line this exporter is tested on (22, 24, 26, and 20)`,
  );
});

test('a version string that is no version gets a warning, not a crash', () => {
  expect(nodeSupportWarning({ node: 'nightly' })).toMatch(/^Node\.js nightly is not a line/);
});

test("package.json's engines names exactly the lines NODE_LINES lists", () => {
  const { engines } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const majors = engines.node.split('||').map((range) => Number(/^\s*\^(\d+)/.exec(range)?.[1]));
  expect(majors).toEqual(Object.keys(NODE_LINES).map(Number));
});

test('the exporter warns once at start on the line it runs on when that line is not a tested one, and goes on', async () => {
  const exporter = await startExporter(['--demo']);
  try {
    const lines = exporter
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    const expected = nodeSupportWarning(process.versions);
    const warnings = lines.filter((line) => line.msg === expected);
    expect(warnings).toHaveLength(expected ? 1 : 0);
    if (expected) expect(warnings[0]!.level).toBe('warn');
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
  } finally {
    exporter.child.kill('SIGTERM');
    await exporter.exited;
  }
});
