// The package ships ES module types but a CommonJS build, which is what jest loads.
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', {
  with: { 'resolution-mode': 'import' },
});

export interface Selector {
  metric: string;
  labels: string[];
  /** rangeFunction is the function a range selector is an argument of (rate, increase…). */
  rangeFunction?: string;
}

/** parsePromQL parses an expression (Grafana variables already substituted) and lists its selectors, or throws on a syntax error. */
export function parsePromQL(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name !== 'VectorSelector') return;
      const metric = node.node.getChild('Identifier');
      const labels = node.node
        .getChild('LabelMatchers')
        ?.getChildren('UnquotedLabelMatcher')
        .map((matcher) => expr.slice(matcher.getChild('LabelName')!.from, matcher.getChild('LabelName')!.to));
      const parent = node.node.parent;
      let rangeFunction: string | undefined;
      if (parent?.name === 'MatrixSelector') {
        const call = parent.parent?.parent;
        const identifier = call?.name === 'FunctionCall' ? call.getChild('FunctionIdentifier') : null;
        rangeFunction = identifier ? expr.slice(identifier.from, identifier.to) : '';
      }
      selectors.push({
        metric: metric ? expr.slice(metric.from, metric.to) : '',
        labels: labels ?? [],
        ...(rangeFunction !== undefined && { rangeFunction }),
      });
    },
  });
  if (error !== undefined) throw new Error(`PromQL syntax error at ${error}: ${expr}`);
  return selectors;
}
