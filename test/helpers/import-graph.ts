import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * ImportGraph maps each source file (a path relative to the root, `accounts/account.ts`) to the
 * files it imports, type-only imports and re-exports included.
 */
export type ImportGraph = Map<string, Set<string>>;

/** sourceFiles lists every `.ts` file under root, as paths relative to it with `/` separators. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts'))
        found.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return found;
}

/**
 * specifiersOf returns every relative module a file names: `import` and `export ... from`
 * (type-only too), `import x = require()`, `require()`, `import()` and `import('...')` types.
 * Packages and `node:` modules are left out: only the project's own files make cycles.
 */
export function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push(expression.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      const first = node.arguments[0];
      if (loads && first && ts.isStringLiteralLike(first)) found.push(first.text);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal))
        found.push(argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith('.'));
}

/** resolveSpecifier finds the file a relative specifier names, as Node16 resolution would. */
function resolveSpecifier(root: string, from: string, specifier: string): string {
  const base = resolve(root, dirname(from), specifier);
  const stem = base.replace(/\.js$/, '');
  for (const candidate of [`${stem}.ts`, join(stem, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile())
      return relative(root, candidate).split('\\').join('/');
  }
  throw new Error(`${from}: cannot resolve '${specifier}'`);
}

/** buildImportGraph reads every file under root and resolves what it imports. */
export function buildImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = new Set(
      specifiersOf(file, text).map((specifier) => resolveSpecifier(root, file, specifier)),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** Cycle is a group of files that import one another, and one closed path through them. */
export type Cycle = { files: string[]; path: string[] };

/**
 * findCycles returns each group of files that import one another (a strongly connected
 * component of more than one file, or a file importing itself): its files, and one closed
 * path through the group (`a.ts → b.ts → a.ts`) so a message can show how they are tied.
 */
export function findCycles(graph: ImportGraph): Cycle[] {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edges: string[]; at: number }> = [];
    const enter = (node: string): void => {
      index.set(node, next);
      low.set(node, next);
      next += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: [...(graph.get(node) ?? [])].sort(), at: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.at < frame.edges.length) {
        const target = frame.edges[frame.at++]!;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfLoop = component.length === 1 && graph.get(frame.node)?.has(frame.node);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  }
  return components
    .map((files) => ({ files, path: closedPath(graph, files) }))
    .sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

/** closedPath walks from the group's first file back to itself, staying inside the group. */
function closedPath(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first from each of start's in-group targets back to start gives a shortest loop.
  const previous = new Map<string, string>();
  const queue = [...(graph.get(start) ?? [])].filter((target) => members.has(target)).sort();
  for (const first of queue) previous.set(first, start);
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === start) break;
    for (const target of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(target) || previous.has(target)) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  const path = [start];
  for (let node = previous.get(start)!; node !== start; node = previous.get(node)!) path.unshift(node);
  path.unshift(start);
  return path;
}
