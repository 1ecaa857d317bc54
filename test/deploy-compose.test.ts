import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describeEachLine } from './helpers/prometheus-lines';
import { runTool } from './helpers/promtool';
import { testWithTool } from './helpers/external-tools';

const REPO = join(__dirname, '..');
const DEPLOY = join(REPO, 'deploy');
const COMPOSE_FILE = join(DEPLOY, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  ports?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  read_only?: boolean;
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  configs?: Record<string, { file?: string }>;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as Compose;
const yamlFile = <T>(path: string) => parse(readFileSync(join(DEPLOY, path), 'utf8')) as T;

/** bindMounts lists each service's bind mounts as [source, target]; named volumes are left out. */
function bindMounts(): Array<{ service: string; source: string; target: string }> {
  return Object.entries(compose.services).flatMap(([service, spec]) =>
    (spec.volumes ?? []).flatMap((volume) => {
      if (typeof volume !== 'string') {
        return volume.type === 'bind' ? [{ service, source: volume.source!, target: volume.target! }] : [];
      }
      const [source = '', target = ''] = volume.split(':');
      return /^[./~]/.test(source) ? [{ service, source, target }] : [];
    }),
  );
}

/** filesTheStackNeeds is every path the compose file names, resolved from deploy/ as Compose does. */
function filesTheStackNeeds(): string[] {
  const paths = bindMounts().map((mount) => mount.source);
  for (const spec of Object.values(compose.services)) {
    if (typeof spec.build === 'string') paths.push(spec.build);
    else if (spec.build) {
      const context = spec.build.context ?? '.';
      paths.push(context, join(context, spec.build.dockerfile ?? 'Dockerfile'));
    }
    paths.push(...[spec.env_file ?? []].flat());
  }
  for (const entry of [...Object.values(compose.secrets ?? {}), ...Object.values(compose.configs ?? {})]) {
    if (entry.file) paths.push(entry.file);
  }
  return paths.map((path) => (isAbsolute(path) ? path : resolve(DEPLOY, path)));
}

testWithTool('docker-compose', 'docker-compose config accepts the stack', (dockerCompose) => {
  const result = spawnSync(dockerCompose, ['-f', COMPOSE_FILE, 'config', '--quiet'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(`${result.stderr}`.trim()).toBe('');
  expect(result.status).toBe(0);
});

test('every file the stack mounts or builds from exists in the repository', () => {
  const paths = filesTheStackNeeds();
  expect(paths).toEqual(
    expect.arrayContaining([
      join(REPO, 'Dockerfile'),
      join(REPO, 'prometheus', 'alerts.yml'),
      join(REPO, 'prometheus', 'alertmanager.example.yml'),
      join(REPO, 'grafana', 'tensorpix-exporter.json'),
      join(DEPLOY, 'compose', 'prometheus.yml'),
    ]),
  );
  expect(paths.filter((path) => !existsSync(path))).toEqual([]);
});

test('the exporter runs the demo by default, read-only, from the repository Dockerfile', () => {
  const exporter = compose.services['tensorpix-exporter']!;
  expect(exporter.command).toEqual(['--demo']);
  expect(exporter.read_only).toBe(true);
  expect(exporter.build).toMatchObject({ context: '..' });
});

test('the commented real-account variant reads the token from a secret file, not a variable', () => {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  expect(text).toContain('#   TENSORPIX_API_TOKEN_FILE: /run/secrets/tensorpix_api_token');
  expect(text).toMatch(/^# secrets:\n# {3}tensorpix_api_token:\n# {5}file: \.\/tensorpix-api-token$/m);
  expect(readFileSync(join(DEPLOY, '.gitignore'), 'utf8')).toMatch(/^tensorpix-api-token$/m);
  expect(text).not.toMatch(/TENSORPIX_API_TOKEN:/);
});

test('every published port is bound to 127.0.0.1', () => {
  const ports = Object.values(compose.services).flatMap((spec) => spec.ports ?? []);
  expect(ports.length).toBeGreaterThanOrEqual(4);
  for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
});

test('Prometheus scrapes the exporter and loads the mounted alert rules', () => {
  const config = yamlFile<{
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    scrape_configs: Array<{
      job_name: string;
      scrape_timeout: string;
      static_configs: Array<{ targets: string[] }>;
    }>;
  }>('compose/prometheus.yml');
  const targets = bindMounts().filter((mount) => mount.service === 'prometheus');
  expect(targets).toContainEqual({
    service: 'prometheus',
    source: '../prometheus/alerts.yml',
    target: '/etc/prometheus/alerts.yml',
  });
  expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
  const job = config.scrape_configs.find((c) => c.job_name.includes('tensorpix'))!;
  expect(job.static_configs[0]!.targets).toEqual(['tensorpix-exporter:10863']);
  expect(job.scrape_timeout).toBe('10s');
  expect(config.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
});

describeEachLine((line) => {
  line.test(
    ['promtool'],
    'the stack’s Prometheus configuration passes promtool check config',
    ({ promtool }) => {
      // rule_files names the path inside the container; point it at the repository's file.
      const dir = mkdtempSync(join(tmpdir(), 'tensorpix-compose-'));
      try {
        const text = readFileSync(join(DEPLOY, 'compose', 'prometheus.yml'), 'utf8').replace(
          '/etc/prometheus/alerts.yml',
          join(REPO, 'prometheus', 'alerts.yml'),
        );
        writeFileSync(join(dir, 'prometheus.yml'), text);
        const result = runTool(promtool, ['check', 'config', 'prometheus.yml'], { cwd: dir });
        expect(result.output).toContain('SUCCESS');
        expect(result.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

test('Grafana gets the Prometheus data source (uid prometheus) and the bundled dashboard', () => {
  const datasources = yamlFile<{ datasources: Array<Record<string, unknown>> }>(
    'compose/grafana/provisioning/datasources/prometheus.yml',
  ).datasources;
  expect(datasources).toEqual([
    expect.objectContaining({
      uid: 'prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
      isDefault: true,
    }),
  ]);
  const providers = yamlFile<{ providers: Array<{ type: string; options: { path: string } }> }>(
    'compose/grafana/provisioning/dashboards/tensorpix.yml',
  ).providers;
  const dashboard = bindMounts().find((mount) => mount.source === '../grafana/tensorpix-exporter.json');
  expect(dashboard?.service).toBe('grafana');
  expect(providers).toHaveLength(1);
  expect(providers[0]!.type).toBe('file');
  expect(dashboard!.target).toBe(`${providers[0]!.options.path}/tensorpix-exporter.json`);
  expect(compose.services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
    dashboard!.target,
  );
});
