import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');

/**
 * The pipeline, bottom up. Each folder may import only itself and the folders listed for it
 * (type-only imports count: a type import is a dependency a reader has to follow too).
 * CONTRIBUTING.md explains each layer.
 *
 * - `core/`: per-release facts, problems, Istio's names, contracts the other layers meet at.
 * - `model/`: readers of Istio's inputs into one model of the mesh's telemetry, and Istio's precedence.
 * - `constructs/`: the emitters, beside the model rather than on it: they write Istio objects,
 *   the model reads them, and neither needs the other.
 * - `analysis/`: rules, schemas, review; reads objects through the model, never emitter classes.
 * - `app/`: the config file, stacks, synth, lint file reading, the cdk8s plugin.
 * - `cli/`: the command line.
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  imports: ['imports'],
  core: ['core'],
  model: ['core', 'model'],
  constructs: ['core', 'constructs', 'imports'],
  analysis: ['core', 'model', 'analysis', 'imports'],
  app: ['core', 'model', 'constructs', 'analysis', 'app', 'imports'],
  cli: ['core', 'model', 'constructs', 'analysis', 'app', 'cli', 'imports'],
};

/** Top-level folders that are not part of the package: they may import any layer. */
const OUTSIDE = ['test', 'bench', 'scripts', 'examples', 'dist', 'lib', 'node_modules', 'docs', 'schemas', 'api'];

function layerOf(file: string): string {
  const parts = relative(ROOT, file).split('/');
  return parts.length === 1 ? '(root)' : (parts[0] as string);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const PACKAGE_FILES = Object.keys(LAYERS).flatMap((layer) => sources(join(ROOT, layer)));

/** Every relative import of `file` (static, dynamic, `import type`, `export … from`), as the file it names. */
function importsOf(file: string): { specifier: string; target: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(([, specifier]) => {
    const base = normalize(join(dirname(file), (specifier as string).replace(/\.js$/, '')));
    const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
    const target = candidates.find((c) => PACKAGE_FILES.includes(c)) ?? base;
    return { specifier: specifier as string, target };
  });
}

/** Strongly connected components of more than one file (or a file importing itself): Tarjan. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node) as number, lowlinks.get(next) as number));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node) as number, indices.get(next) as number));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found.map((component) => component.map((file) => relative(ROOT, file)));
}

describe('layers', () => {
  it('point one way: every package folder imports only the layers below it, type-only imports included', () => {
    const violations = PACKAGE_FILES.flatMap((file) => {
      const allowed = LAYERS[layerOf(file)] ?? [];
      return importsOf(file)
        .filter(({ target }) => !allowed.includes(layerOf(target)))
        .map(({ specifier }) => `${relative(ROOT, file)} imports ${specifier}`);
    });
    expect(violations).toEqual([]);
  });

  it('have no import cycles, type-only imports included', () => {
    const graph = new Map(PACKAGE_FILES.map((file) => [file, importsOf(file).map(({ target }) => target)] as const));
    expect(cycles(graph)).toEqual([]);
  });

  it('place every top-level folder, so a new one is placed on purpose', () => {
    const folders = readdirSync(ROOT).filter(
      (entry) => !entry.startsWith('.') && statSync(join(ROOT, entry)).isDirectory(),
    );
    expect(folders.filter((folder) => !(folder in LAYERS) && !OUTSIDE.includes(folder))).toEqual([]);
  });

  it('leave emitter classes to the emitters: nothing outside constructs/ tests a construct with instanceof', () => {
    const emitterClasses = new Set(
      sources(join(ROOT, 'constructs')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)].map(([, name]) => name),
      ),
    );
    const offenders = PACKAGE_FILES.filter((file) => layerOf(file) !== 'constructs').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/instanceof (\w+)/g)]
        .filter(([, name]) => emitterClasses.has(name as string))
        .map(([match]) => `${relative(ROOT, file)}: ${match}`),
    );
    expect(offenders).toEqual([]);
  });
});
