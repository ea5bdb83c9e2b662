import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { isMap, LineCounter, parse, parseAllDocuments } from 'yaml';
import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { isMapping } from '../../core/json-values';
import { byCodePoint } from '../../core/merge/sorted-entries';
import { type FieldPath, keysOf } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import type { SourceLocation } from '../../core/problems/source-location';
import { keyAt } from '../../core/problems/yaml-keys';
import type { Manifest } from '../../model/objects';
import { Locator } from '../config/config-file';
import { inlinePatchDocuments, isJson6902, json6902Document, type PatchTarget } from './kustomize-patches';

/** One Kubernetes object read from a YAML file, with what is needed to point at its fields. */
export interface ManifestDocument {
  readonly manifest: Manifest;
  /** The file, as given or relative to the folder given. */
  readonly file: string;
  /** The line of a field of the object (`spec.tracing[0]`), or of the object itself for `[]`. */
  locate(field: FieldPath): SourceLocation;
  /**
   * A strategic merge patch a kustomization names (`patches[].path`): part of an object that
   * kustomize merges into one deployed elsewhere, not an object of its own.
   */
  readonly patch?: boolean;
}

/** A file that is not YAML, or a document that is not a Kubernetes object. */
export interface ManifestFileProblem extends Problem {
  /** The file and line. */
  readonly location: SourceLocation;
}

export interface ManifestFiles {
  readonly documents: readonly ManifestDocument[];
  readonly problems: readonly ManifestFileProblem[];
  /** Every file read, in the order read. */
  readonly files: readonly string[];
  /** Files holding YAML that is not Kubernetes objects (Helm values, kustomize's kustomizations), skipped. */
  readonly skipped: readonly string[];
}

// JSON files are read when named, not found in folders (cdk8s writes construct-metadata.json there).
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Reads every object in the given files and folders (folders recursively: `*.yaml` and `*.yml`,
 * in code-point order, skipping `node_modules` and dot folders). A `kind: List` stands
 * for its items. Documents that are empty or comments only are skipped, and files of mappings with
 * neither `apiVersion` nor `kind` (Helm values) are listed as skipped; anything else that is not
 * an object with `apiVersion`, `kind` and `metadata` is a problem, as is invalid YAML. Read as
 * YAML 1.1, as kubectl and the API server read it (`on` is a boolean).
 */
export function readManifestFiles(paths: readonly string[]): ManifestFiles {
  const files = listManifestFiles(paths);
  const patches = kustomizePatchFiles(files);
  const documents: ManifestDocument[] = [];
  const problems: ManifestFileProblem[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const read = readManifestFile(file, undefined, patches.get(file));
    documents.push(...read.documents);
    problems.push(...read.problems);
    if (read.skipped) skipped.push(file);
  }
  return { documents, problems, files, skipped };
}

/**
 * The files `readManifestFiles` reads, in its order: files as given, folders' `*.yaml` and `*.yml`
 * recursively in code-point order, skipping `node_modules` and dot folders.
 * @throws the file system's error for a path that does not exist
 */
export function listManifestFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => expand(path));
}

/** What one file holds: its objects in order, its problems, and whether it holds plain data (skipped). */
export interface ManifestFile {
  readonly documents: readonly ManifestDocument[];
  readonly problems: readonly ManifestFileProblem[];
  /** It holds mappings that are no Kubernetes object (Helm values, a kustomization), which were skipped. */
  readonly skipped: boolean;
}

/** Reads one file as {@link readManifestFiles} reads each; `text` when the caller has read it already. */
export function readManifestFile(
  file: string,
  text: string = readFileSync(file, 'utf8'),
  patch?: PatchFile,
): ManifestFile {
  const documents: ManifestDocument[] = [];
  const problems: ManifestFileProblem[] = [];
  let skipped = false;
  const lineCounter = new LineCounter();
  for (const document of parseAllDocuments(text, { lineCounter, version: '1.1', uniqueKeys: true })) {
    const locator = new Locator(file, document, lineCounter);
    const at = (path: readonly (string | number)[]): SourceLocation => ({ file, line: locator.position(path).line });
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        // The parser names no repeated key; read it where the repeat starts.
        const key = error.code === 'DUPLICATE_KEY' ? keyAt(text, error.pos[0]) : undefined;
        problems.push({
          location: { file, line: error.linePos?.[0].line ?? 1 },
          ...(key !== undefined
            ? {
                field: [key],
                what: `repeats the key ${JSON.stringify(key)} of this mapping`,
                expected: 'each key once',
              }
            : { what: `not YAML: ${error.message.split('\n')[0]}` }),
        });
      }
      continue;
    }
    if (document.contents === null) continue;
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    // A trailing `---`, or a document of comments only: kubectl skips it, and so do we.
    if (value === null || value === undefined) continue;
    if (isJson6902(value)) {
      // A JSON 6902 patch: what it sets that Istio reads is checked on the objects its
      // kustomization's target selects; read alone, it selects nothing known.
      const read = patch?.target
        ? json6902Document(value, patch.target, (path) => locator.position(path).line)
        : undefined;
      if (read)
        documents.push({
          manifest: read.manifest,
          file,
          locate: (field) => ({ file, line: read.locate(field) }),
          patch: true,
        });
      else skipped = true;
      continue;
    }
    if (isKustomizeFile(value)) {
      // Its inline patches (`patches[].patch`) are partial objects of their own.
      for (const inline of inlinePatchDocuments(document, lineCounter)) {
        documents.push({
          manifest: inline.manifest,
          file,
          locate: (field) => ({ file, line: inline.locate(field) }),
          patch: true,
        });
      }
    }
    const list = isMap(document.contents) && isMapping(value) && value.kind === 'List' ? value.items : undefined;
    const items: [unknown, (string | number)[]][] = Array.isArray(list)
      ? list.map((item, i) => [item, ['items', i]])
      : [[value, []]];
    for (const [item, prefix] of items) {
      if (isIstiodValues(item)) {
        documents.push({
          manifest: { ...item, apiVersion: '', kind: ISTIOD_VALUES_KIND, metadata: {} },
          file,
          locate: (field) => at([...prefix, ...keysOf(field)]),
        });
        continue;
      }
      if (isPlainData(item) || isKustomizeFile(item)) {
        // A mapping that does not claim to be an object (a Helm values file, a test's
        // input data): not ours to check, listed once per file.
        skipped = true;
        continue;
      }
      if (!isManifest(item)) {
        problems.push({
          location: at(prefix),
          what: 'not a Kubernetes object',
          expected: 'a mapping with string apiVersion and kind, and a metadata mapping',
        });
        continue;
      }
      documents.push({
        manifest: item,
        file,
        locate: (field) => at([...prefix, ...keysOf(field)]),
        ...(patch ? { patch: true } : {}),
      });
      // A Flux HelmRelease or an Argo CD Application of the istiod chart carries its values.
      for (const values of istiodChartValues(item)) {
        documents.push({
          manifest: { ...values.values, apiVersion: '', kind: ISTIOD_VALUES_KIND, metadata: {} },
          file,
          locate: (field) => at([...prefix, ...values.at, ...keysOf(field)]),
        });
      }
    }
  }
  return { documents, problems, skipped };
}

/**
 * `read` (of `text`, the file's contents) without its YAML syntax trees, which take several times
 * the memory of the objects: each object keeps its own line, and the first field located parses
 * the text again. For objects read once and checked later, whose fields are rarely located.
 */
export function withoutSyntaxTrees(file: string, text: string, read: ManifestFile, patch?: PatchFile): ManifestFile {
  let reread: readonly ManifestDocument[] | undefined;
  const documents = read.documents.map((document, ordinal): ManifestDocument => {
    const start = document.locate([]);
    return {
      manifest: document.manifest,
      file: document.file,
      locate: (field) => {
        if (field.length === 0) return start;
        reread ??= readManifestFile(file, text, patch).documents;
        return (reread[ordinal] as ManifestDocument).locate(field);
      },
      ...(document.patch ? { patch: true } : {}),
    };
  });
  return { ...read, documents };
}

/** A folder entry the walk enters or reads: no dot entries, no `node_modules`. */
function isWalked(name: string): boolean {
  return !name.startsWith('.') && name !== 'node_modules';
}

/** A file (relative, `/`-separated) a folder walk reads: `*.yaml` or `*.yml`, every segment walked. */
export function isListedYaml(file: string): boolean {
  return YAML_EXTENSIONS.has(extname(file)) && file.split('/').every(isWalked);
}

/**
 * The order of a folder walk over relative paths: segment by segment, by code point, as each
 * folder's entries are sorted (so `a/b.yaml` comes before `a.yaml`, as folder `a` sorts before).
 */
export function byPathSegments(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = byCodePoint(x[i] as string, y[i] as string);
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

function expand(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
      if (!isWalked(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (YAML_EXTENSIONS.has(extname(entry.name))) found.push(full);
    }
  };
  walk(path);
  return found.map((file) => (path === '.' ? relative('.', file) : file));
}

/**
 * A values file of the istiod Helm chart: a mapping with a `meshConfig` mapping and neither
 * `apiVersion` nor `kind` (the chart's `meshConfig:` values, istio/istio
 * manifests/charts/istio-control/istio-discovery/values.yaml).
 */
function isIstiodValues(value: unknown): value is Record<string, unknown> {
  return isMapping(value) && value.apiVersion === undefined && value.kind === undefined && isMapping(value.meshConfig);
}

/** kustomize's own file (a Kustomization or Component): how to build objects, not an object applied. */
function isKustomizeFile(value: unknown): boolean {
  return (
    isMapping(value) &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion.startsWith('kustomize.config.k8s.io/') &&
    (value.kind === 'Kustomization' || value.kind === 'Component')
  );
}

const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Whether `file` is named as kustomize names its kustomization file. */
export function isKustomization(file: string): boolean {
  return KUSTOMIZATION_NAMES.has(basename(file));
}

/**
 * The patch files the kustomizations among `files` name, resolved against each kustomization's
 * folder, with the objects each selects: `patches[].path` (a strategic merge patch or a JSON 6902
 * one, told apart by content as kustomize does), the older `patchesStrategicMerge` and
 * `patchesJson6902` (kubectl's kustomize v5.5, sigs.k8s.io/kustomize api/types/kustomization.go).
 */
export function kustomizePatchFiles(
  files: readonly string[],
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): Map<string, PatchFile> {
  const patches = new Map<string, PatchFile>();
  for (const file of files) {
    if (!isKustomization(file)) continue;
    let kustomization: unknown;
    try {
      kustomization = parse(read(file));
    } catch {
      continue; // read again as a manifest file, which reports it
    }
    if (!isKustomizeFile(kustomization)) continue;
    const { patches: listed, patchesStrategicMerge, patchesJson6902 } = kustomization as Record<string, unknown>;
    const entries: [unknown, unknown][] = [
      ...(Array.isArray(listed)
        ? listed.map((p): [unknown, unknown] => (isMapping(p) ? [p.path, p.target] : [undefined, undefined]))
        : []),
      ...(Array.isArray(patchesStrategicMerge)
        ? patchesStrategicMerge.map((p): [unknown, unknown] => [p, undefined])
        : []),
      ...(Array.isArray(patchesJson6902)
        ? patchesJson6902.map((p): [unknown, unknown] => (isMapping(p) ? [p.path, p.target] : [undefined, undefined]))
        : []),
    ];
    for (const [path, target] of entries) {
      if (typeof path !== 'string') continue;
      patches.set(join(dirname(file), path), isMapping(target) ? { target: target as PatchTarget } : {});
    }
  }
  return patches;
}

/** A file a kustomization names as a patch, and the objects it selects when it says. */
export interface PatchFile {
  readonly target?: PatchTarget;
}

/** A mapping with neither `apiVersion` nor `kind`: data, not an object that claims a kind. */
function isPlainData(value: unknown): boolean {
  return isMapping(value) && value.apiVersion === undefined && value.kind === undefined;
}

/**
 * An object with `apiVersion`, `kind` and `metadata`; an IstioOperator may lack `metadata`, since
 * istioctl reads it as a file and never applies it (the book's overlays have none).
 */
function isManifest(value: unknown): value is Manifest {
  if (!isMapping(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return false;
  if (value.kind === 'IstioOperator' && value.metadata === undefined) value.metadata = {};
  return isMapping(value.metadata);
}

/**
 * The istiod chart's values a GitOps object carries, with where: a Flux `HelmRelease` of chart
 * `istiod` (`spec.values`), an Argo CD `Application` whose source is that chart
 * (`helm.valuesObject`; `helm.values` is a YAML string, read as one).
 */
function istiodChartValues(
  item: Manifest,
): { readonly values: Record<string, unknown>; readonly at: (string | number)[] }[] {
  const spec = isMapping(item.spec) ? item.spec : {};
  if (item.kind === 'HelmRelease' && item.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
    const chart = isMapping(spec.chart) && isMapping(spec.chart.spec) ? spec.chart.spec.chart : undefined;
    return chart === 'istiod' && isMapping(spec.values) ? [{ values: spec.values, at: ['spec', 'values'] }] : [];
  }
  if (item.kind !== 'Application' || !item.apiVersion.startsWith('argoproj.io/')) return [];
  const sources: [unknown, (string | number)[]][] = [
    ...(isMapping(spec.source) ? [[spec.source, ['spec', 'source']] as [unknown, (string | number)[]]] : []),
    ...(Array.isArray(spec.sources)
      ? spec.sources.map((s, i): [unknown, (string | number)[]] => [s, ['spec', 'sources', i]])
      : []),
  ];
  return sources.flatMap(([source, at]) => {
    if (!isMapping(source) || source.chart !== 'istiod' || !isMapping(source.helm)) return [];
    const { valuesObject, values } = source.helm;
    if (isMapping(valuesObject)) return [{ values: valuesObject, at: [...at, 'helm', 'valuesObject'] }];
    if (typeof values !== 'string') return [];
    try {
      const parsed: unknown = parse(values, { version: '1.1' });
      return isMapping(parsed) ? [{ values: parsed, at: [...at, 'helm', 'values'] }] : [];
    } catch {
      return []; // Argo CD reports a values string that is not YAML
    }
  });
}
