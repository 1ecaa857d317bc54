import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { testWithTool } from './helpers/external-tools';

const REPO = join(__dirname, '..');
const K8S = join(REPO, 'deploy', 'kubernetes');
const GENERATOR = join('scripts', 'generate-kubernetes.js');
const GENERATED = ['prometheus-rule.yaml', 'grafana-dashboard-configmap.yaml'];

// Loose shapes: the tests read what they check and fail on anything missing.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: any };
  [key: string]: any;
};

/** manifests parses every document of every YAML file in deploy/kubernetes. */
function manifests(): Array<{ file: string; doc: Manifest }> {
  return readdirSync(K8S)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
        return { file, doc: doc.toJS() as Manifest };
      }),
    );
}

const all = manifests();
const one = (kind: string) => {
  const found = all.filter(({ doc }) => doc.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!.doc;
};
const kustomization = one('Kustomization');
const deployment = one('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

test('the kustomization lists every manifest but the Secret example, and nothing missing', () => {
  const resources: string[] = kustomization.resources;
  for (const resource of resources) expect(existsSync(join(K8S, resource))).toBe(true);
  const yamlFiles = readdirSync(K8S).filter((f) => f.endsWith('.yaml'));
  expect([...resources].sort()).toEqual(
    yamlFiles.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort(),
  );
});

test('the image tag in the kustomization is the package version', () => {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  expect(kustomization.images).toEqual([expect.objectContaining({ name: container.image, newTag: version })]);
});

test('the exporter runs as a non-root user, read-only, without privileges or capabilities', () => {
  expect(pod.containers).toHaveLength(1);
  const effective = { ...pod.securityContext, ...container.securityContext };
  expect(effective).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 10001,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(effective.privileged).toBeUndefined();
  expect(pod.automountServiceAccountToken).toBe(false);
});

test('probes use the health endpoints, and resources are bounded', () => {
  expect(container.ports).toEqual([{ name: 'metrics', containerPort: 10863, protocol: 'TCP' }]);
  expect(container.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'metrics' });
  expect(container.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'metrics' });
  for (const kind of ['requests', 'limits']) {
    expect(container.resources[kind]).toEqual({
      cpu: expect.any(String),
      memory: expect.stringMatching(/Mi$/),
    });
  }
});

test('the token comes from a Secret mounted as a directory, so a rotated token reaches the file', () => {
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  expect(env.TENSORPIX_API_TOKEN).toBeUndefined();
  const mounts = container.volumeMounts as Array<{ name: string; mountPath: string; subPath?: string }>;
  expect(mounts.filter((m) => m.subPath !== undefined)).toEqual([]);
  const volume = pod.volumes.find((v: { secret?: unknown }) => v.secret);
  const mount = mounts.find((m) => m.name === volume.name)!;
  expect(env.TENSORPIX_API_TOKEN_FILE).toBe(`${mount.mountPath}/${volume.secret.items[0].path}`);
  // 0440 with the exporter's group as fsGroup: readable by the exporter and root only.
  expect(volume.secret.defaultMode).toBe(0o440);
  expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);

  const example = parse(readFileSync(join(K8S, 'secret.example.yaml'), 'utf8')) as Manifest;
  expect(example.kind).toBe('Secret');
  expect(example.metadata.name).toBe(volume.secret.secretName);
  expect(Object.keys(example.stringData)).toEqual([volume.secret.items[0].key]);
});

test('the Service exposes port 10863 as "metrics" and selects the pods', () => {
  const service = one('Service');
  expect(service.spec.ports).toEqual([
    { name: 'metrics', port: 10863, targetPort: 'metrics', protocol: 'TCP' },
  ]);
  expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
});

test('the ServiceMonitor scrapes the metrics port every 60s with a 10s timeout', () => {
  const monitor = one('ServiceMonitor');
  expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
  expect(one('Service').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  expect(monitor.spec.endpoints).toEqual([
    { port: 'metrics', path: '/metrics', interval: '60s', scrapeTimeout: '10s' },
  ]);
});

test('the PrometheusRule holds exactly the rule groups of prometheus/alerts.yml', () => {
  const rule = one('PrometheusRule');
  expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
  const alerts = parse(readFileSync(join(REPO, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: unknown };
  expect(rule.spec.groups).toEqual(alerts.groups);
});

test('the dashboard ConfigMap holds grafana/tensorpix-exporter.json verbatim, labelled for the sidecar', () => {
  const configMap = one('ConfigMap');
  expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
  const source = readFileSync(join(REPO, 'grafana', 'tensorpix-exporter.json'), 'utf8');
  expect(configMap.data['tensorpix-exporter.json'].trimEnd()).toBe(source.trimEnd());
});

/** checkIn runs the generator's --check in a copy of the repository's sources at `root`. */
function check(root: string) {
  return spawnSync(process.execPath, [join(root, GENERATOR), '--check'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
  });
}

test('the generated files are up to date (node scripts/generate-kubernetes.js --check)', () => {
  const result = check(REPO);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('--check fails and names the file when a source changed', () => {
  const root = mkdtempSync(join(tmpdir(), 'tensorpix-k8s-'));
  try {
    const sources = ['prometheus/alerts.yml', 'grafana/tensorpix-exporter.json', GENERATOR];
    for (const path of [...sources, ...GENERATED.map((f) => `deploy/kubernetes/${f}`)]) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      copyFileSync(join(REPO, path), join(root, path));
    }
    expect(check(root).status).toBe(0);
    const alerts = join(root, 'prometheus', 'alerts.yml');
    writeFileSync(alerts, readFileSync(alerts, 'utf8').replace('vector(20)', 'vector(25)'));
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('deploy/kubernetes/prometheus-rule.yaml is out of date');
    expect(result.stderr).not.toContain('grafana-dashboard-configmap.yaml');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

testWithTool('kubectl', 'kubectl kustomize renders the manifests offline', (kubectl) => {
  const result = spawnSync(kubectl, ['kustomize', K8S], { encoding: 'utf8', timeout: 30_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const docs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
  expect(docs.map((doc) => doc.kind).sort()).toEqual([
    'ConfigMap',
    'Deployment',
    'PrometheusRule',
    'Service',
    'ServiceMonitor',
  ]);
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const rendered = docs.find((doc) => doc.kind === 'Deployment')!;
  expect(rendered.spec.template.spec.containers[0].image).toBe(`tensorpix-exporter:${version}`);
});
