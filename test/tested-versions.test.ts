import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NODE_LINES } from '../src/node-support';
import { TESTED_LINES } from './helpers/prometheus-lines';

// What docs/tested-versions.md promises, what the fetch scripts fetch, what the test matrix requires in
// CI and what the compose stack and the image run must name the same release lines; each is
// edited by hand.
const REPO = join(__dirname, '..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const newest = TESTED_LINES[TESTED_LINES.length - 1]!;

test('the fetch script fetches the newest line the matrix requires', () => {
  const script = read('scripts/fetch-prometheus-lts.sh');
  expect(script).toMatch(new RegExp(`^PROMETHEUS_LINE=${newest.prometheus}$`, 'm'));
  expect(script).toMatch(new RegExp(`^ALERTMANAGER_LINE=${newest.alertmanager}$`, 'm'));
});

test('the compose stack pins Prometheus and Alertmanager images of the newest tested line', () => {
  const { services } = parse(read('deploy/docker-compose.yml')) as {
    services: Record<string, { image?: string }>;
  };
  const tag = (line: string) => new RegExp(`:v${line.replace('.', '\\.')}\\.\\d+$`);
  expect(services.prometheus!.image).toMatch(/^prom\/prometheus:/);
  expect(services.prometheus!.image).toMatch(tag(newest.prometheus));
  expect(services.alertmanager!.image).toMatch(/^prom\/alertmanager:/);
  expect(services.alertmanager!.image).toMatch(tag(newest.alertmanager));
});

test('docs/tested-versions.md names every tested line, and the Grafana the compose stack runs', () => {
  const section = read('docs/tested-versions.md');
  for (const line of TESTED_LINES) {
    expect(section).toMatch(new RegExp(`\\| ${line.prometheus.replace('.', '\\.')}[ .]`));
    expect(section).toMatch(new RegExp(`\\| ${line.alertmanager.replace('.', '\\.')}[ .]`));
  }
  const { services } = parse(read('deploy/docker-compose.yml')) as {
    services: Record<string, { image?: string }>;
  };
  const grafana = /^grafana\/grafana:(.+)$/.exec(services.grafana!.image ?? '')?.[1];
  expect(section).toContain(`Grafana ${grafana}`);
});

// The Node.js lines CI fetches and runs the suite on; 20, past its end of life, runs on the
// machine's own node.
const nodeLines = Object.keys(NODE_LINES).map(Number);
const fetchedNodeLines = nodeLines.filter((major) => !NODE_LINES[major]!.endOfLife);

test('the Node fetch script fetches, and the lines script runs, every line CI tests', () => {
  expect(fetchedNodeLines.length).toBeGreaterThan(0);
  const fetched = /^NODE_LINES=\(([\d ]+)\)$/m.exec(read('scripts/fetch-node-lines.sh'))?.[1];
  expect(fetched?.split(' ').map(Number)).toEqual(fetchedNodeLines);
  const run = /^\[ "\$#" -gt 0 \] \|\| set -- (.+)$/m.exec(read('scripts/test-node-lines.sh'))?.[1];
  expect(run).toBe(['machine', ...fetchedNodeLines].join(' '));
});

test('docs/tested-versions.md names every Node.js line, and the image is based on one CI fetches, as docs/deployment.md says', () => {
  const section = read('docs/tested-versions.md');
  for (const major of nodeLines) expect(section).toMatch(new RegExp(`^\\| ${major} `, 'm'));
  const base = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(read('Dockerfile'))?.[1];
  expect(fetchedNodeLines).toContain(Number(base));
  expect(read('docs/deployment.md')).toContain(`**Why \`node:${base}-`);
});
