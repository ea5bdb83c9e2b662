import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');

/**
 * Which folders each layer of constructs/ may import at all (type-only imports included): the
 * layers point one way, from generated L1 (imports/) through the constructs to validation and
 * the front ends. CONTRIBUTING.md explains each layer.
 */
const BASE = ['constructs/problems', 'constructs/merge', 'constructs/version', 'constructs/(root)', 'imports'];
const EMITTERS = [
  'constructs/attributes',
  'constructs/backends',
  'constructs/bootstrap',
  'constructs/demo',
  'constructs/gitops',
  'constructs/intent',
  'constructs/logging',
  'constructs/mesh',
  'constructs/metrics',
  'constructs/overlays',
  'constructs/proxy-config',
  'constructs/stats',
  'constructs/telemetry',
  'constructs/tracing',
];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'constructs/problems': ['constructs/problems'],
  'constructs/merge': ['constructs/merge', 'constructs/problems', 'constructs/(root)'],
  'constructs/(root)': ['constructs/(root)', 'constructs/problems'],
  'constructs/version': ['constructs/version', 'constructs/problems', 'constructs/(root)'],
  ...Object.fromEntries(EMITTERS.map((folder) => [folder, [...BASE, ...EMITTERS]])),
};

/** The folder of constructs/ a file is in; files directly under constructs/ are `(root)`. */
function layerOf(file: string): string {
  const parts = relative(ROOT, file).split('/');
  if (parts[0] !== 'constructs') return parts[0] ?? '';
  return parts.length === 2 ? 'constructs/(root)' : `constructs/${parts[1]}`;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of `file`, as the layer it lands in. */
function importedLayers(file: string): { specifier: string; layer: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map(([, specifier]) => ({
    specifier: specifier as string,
    layer: layerOf(normalize(join(dirname(file), specifier as string))),
  }));
}

describe('layers', () => {
  it('point one way: the base and the emitters never import validation, review or the front ends', () => {
    // constructs/index.ts is the package's entry point: it exports from every layer.
    const files = sources(join(ROOT, 'constructs')).filter((file) => !file.endsWith('constructs/index.ts'));
    const violations = files.flatMap((file) => {
      const allowed = ALLOWED[layerOf(file)];
      if (!allowed) return [];
      return importedLayers(file)
        .filter(({ layer }) => !allowed.includes(layer))
        .map(({ specifier }) => `${relative(ROOT, file)} imports ${specifier}`);
    });
    expect(violations).toEqual([]);
  });

  it('keep every construct folder in a layer, so a new folder is placed on purpose', () => {
    const folders = readdirSync(join(ROOT, 'constructs')).filter((e) =>
      statSync(join(ROOT, 'constructs', e)).isDirectory(),
    );
    const edges = ['config', 'lint', 'plugin', 'review', 'stacks', 'synth', 'validate'];
    expect(folders.filter((f) => !ALLOWED[`constructs/${f}`] && !edges.includes(f))).toEqual([]);
  });
});
