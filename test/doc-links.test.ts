import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorsOf, linksOf, problemOf, repoUrlsOf, slugOf } from './helpers/markdown-links';

// Every relative link and #anchor of the README and docs/, and every link into the repository
// from the rules, the dashboard and the manifests (the alerts' runbook_url), must land: a
// moved section or a renamed heading fails here, naming the link.
const REPO = join(__dirname, '..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

const markdown = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** filesUnder lists a folder's files, recursively, as repository paths. */
const filesUnder = (folder: string): string[] =>
  readdirSync(join(REPO, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(`${folder}/${entry.name}`) : [`${folder}/${entry.name}`],
  );
const configs = ['prometheus', 'grafana', 'deploy'].flatMap(filesUnder);

const broken = (links: ReturnType<typeof linksOf>) =>
  links.flatMap((link) => {
    const problem = problemOf(REPO, link);
    return problem ? [`${link.file}:${link.line}: ${link.target}: ${problem}`] : [];
  });

test('every relative link and #anchor of README.md and docs/*.md lands', () => {
  const links = markdown.flatMap((file) => linksOf(file, read(file)));
  expect(links.length).toBeGreaterThan(30);
  expect(broken(links)).toEqual([]);
});

test('every link into the repository from prometheus/, grafana/ and deploy/ lands (runbook_url included)', () => {
  const links = configs.flatMap((file) => repoUrlsOf(file, read(file)));
  // The eight alerts of alerts.yml and of the PrometheusRule generated from it, and the dashboard's link.
  expect(links.filter((link) => link.file === 'prometheus/alerts.yml')).toHaveLength(8);
  expect(broken(links)).toEqual([]);
});

// The README is the doorway (what it is, the quick start, a minimal setup, the metrics, a map
// of docs/); the reference belongs in docs/.
test('the README stays a doorway: at most 400 lines, and its map names every page of docs/', () => {
  const readme = read('README.md');
  expect(readme.split('\n').length).toBeLessThanOrEqual(400);
  const map = /^## Documentation\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(readme)?.[1] ?? '';
  const pages = markdown.filter((file) => file.startsWith('docs/'));
  expect(pages.filter((page) => !map.includes(`| [${page}](${page}) |`))).toEqual([]);
});

test('anchors follow GitHub: punctuation dropped, spaces to -, a repeated heading numbered', () => {
  expect(slugOf('Thresholds, per account')).toBe('thresholds-per-account');
  expect(slugOf('Protecting `/metrics`')).toBe('protecting-metrics');
  expect(slugOf('The [link](x.md) in it')).toBe('the-link-in-it');
  expect([...anchorsOf('# A\n## Run\n```\n# not a heading\n```\n### Run\n## Run\n')]).toEqual([
    'a',
    'run',
    'run-1',
    'run-2',
  ]);
});

test('the check names a missing file, a missing anchor and a link out of the repository', () => {
  const [file, anchor, away, good] = linksOf(
    'docs/x.md',
    '[a](nowhere.md) [b](security.md#no-such-part)\n\n[c]: ../../elsewhere.md\n[d](../README.md#quick-start) `[e](not-a-link.md)`',
  );
  expect(problemOf(REPO, file!)).toBe('docs/nowhere.md does not exist');
  expect(problemOf(REPO, anchor!)).toBe('no heading gives #no-such-part in docs/security.md');
  expect(problemOf(REPO, away!)).toBe('../../elsewhere.md leaves the repository');
  expect(problemOf(REPO, good!)).toBeUndefined();
  expect(problemOf(REPO, { file: 'x.yml', line: 1, target: 'https://example.org/x.md#y' })).toBeUndefined();
});
