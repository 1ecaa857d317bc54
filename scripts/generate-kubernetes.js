#!/usr/bin/env node
// Writes the Kubernetes manifests that copy a source file of the repository, so each source
// lives in one place:
//
//   deploy/kubernetes/prometheus-rule.yaml              ← prometheus/alerts.yml
//   deploy/kubernetes/grafana-dashboard-configmap.yaml  ← grafana/tensorpix-exporter.json
//
//   node scripts/generate-kubernetes.js          write them
//   node scripts/generate-kubernetes.js --check  exit 1, naming each, if they differ from
//                                                what would be written (CI and the tests)
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { Document, Scalar, parseDocument } = require('yaml');

const ROOT = join(__dirname, '..');
const NAME = 'tensorpix-exporter';
const LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'exporter' };
const STRINGIFY = { lineWidth: 0 };

const header = (source) =>
  `# Generated from ${source} by scripts/generate-kubernetes.js: do not edit.\n` +
  `# Change ${source}, then run \`node scripts/generate-kubernetes.js\`.\n`;

/** prometheusRule wraps the rule groups of alerts.yml, comments included, in a PrometheusRule. */
function prometheusRule(alertsText) {
  const alerts = parseDocument(alertsText);
  if (alerts.errors.length > 0) throw new Error(`prometheus/alerts.yml: ${alerts.errors[0].message}`);
  const groups = alerts.get('groups', true);
  if (!groups) throw new Error('prometheus/alerts.yml has no groups');
  const doc = new Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: NAME, labels: LABELS },
    spec: { groups: null },
  });
  doc.setIn(['spec', 'groups'], groups);
  return header('prometheus/alerts.yml') + doc.toString(STRINGIFY);
}

/** dashboardConfigMap holds the dashboard JSON verbatim, labelled for Grafana's dashboard sidecar. */
function dashboardConfigMap(dashboardText) {
  JSON.parse(dashboardText); // a broken dashboard fails here, not in Grafana
  const json = new Scalar(dashboardText.endsWith('\n') ? dashboardText : `${dashboardText}\n`);
  json.type = Scalar.BLOCK_LITERAL;
  const doc = new Document({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${NAME}-dashboard`, labels: { ...LABELS, grafana_dashboard: '1' } },
    data: { 'tensorpix-exporter.json': null },
  });
  doc.setIn(['data', 'tensorpix-exporter.json'], json);
  return header('grafana/tensorpix-exporter.json') + doc.toString(STRINGIFY);
}

/** generate returns each generated file's path (under root) and content. */
function generate(root = ROOT) {
  const read = (path) => readFileSync(join(root, path), 'utf8');
  return [
    {
      path: join(root, 'deploy/kubernetes/prometheus-rule.yaml'),
      content: prometheusRule(read('prometheus/alerts.yml')),
    },
    {
      path: join(root, 'deploy/kubernetes/grafana-dashboard-configmap.yaml'),
      content: dashboardConfigMap(read('grafana/tensorpix-exporter.json')),
    },
  ];
}

function main(args) {
  const check = args.includes('--check');
  const files = generate();
  const stale = files.filter(
    ({ path, content }) => !existsSync(path) || readFileSync(path, 'utf8') !== content,
  );
  for (const { path, content } of stale) {
    if (check) console.error(`${relative(ROOT, path)} is out of date with its source`);
    else writeFileSync(path, content);
  }
  if (check && stale.length > 0) {
    console.error('run `node scripts/generate-kubernetes.js` and commit the result');
    process.exitCode = 1;
  } else if (!check) {
    for (const { path } of files)
      console.log(`${stale.some((f) => f.path === path) ? 'wrote' : 'unchanged'} ${relative(ROOT, path)}`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`generate-kubernetes: ${error.message}`);
    process.exitCode = 1;
  }
}

module.exports = { generate, prometheusRule, dashboardConfigMap };
