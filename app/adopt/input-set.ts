import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import type { Manifest, RenderedObject } from '../../model/objects';
import { type KustomizeFailure, kustomizeBuild } from '../lint/kustomize-build';
import {
  type ManifestDocument,
  type ManifestFileProblem,
  readManifestFile,
  readManifestFiles,
} from '../lint/manifest-files';
import { ObjectPaths, objectOf } from '../lint/manifest-validator';
import { OUTPUT_MARKER } from '../synth/output-guard';

/**
 * What `explain`, `import` and `plan` read: the objects of files, folders, kustomize folders
 * (built) and `kubectl get -A -o yaml` dumps, taken as one set applied to one cluster.
 */
export interface InputSet {
  readonly objects: readonly RenderedObject[];
  /** The documents the objects were read from, by object path: to locate a field of one. */
  readonly documents: ReadonlyMap<string, ManifestDocument>;
  /** Files that are not YAML, documents that are no Kubernetes object. */
  readonly problems: readonly ManifestFileProblem[];
  /** Every file read (`kustomize build <dir>` for a built folder), in the order read. */
  readonly files: readonly string[];
}

/**
 * Kinds whose objects have no namespace: the rest get the namespace `kubectl apply -n` would give
 * them when they name none. Istio's and the Sail Operator's cluster-scoped kinds are among them
 * (sailoperator.io `Istio`, `IstioCNI`, `ZTunnel`: `scope: Cluster` in their CRDs).
 */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'APIService',
  'ClusterIssuer',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'GatewayClass',
  'IngressClass',
  'Istio',
  'IstioCNI',
  'IstioRevision',
  'IstioRevisionTag',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'StorageClass',
  'ValidatingWebhookConfiguration',
  'ZTunnel',
  ISTIOD_VALUES_KIND,
]);

/**
 * Whether `dir` is a folder kustomize builds (it holds a kustomization). An output folder synth
 * wrote is not: it is read file by file, with its install inputs (install/) and its patches,
 * which its kustomization leaves out, as REPORT.md reads it.
 */
function isKustomizeFolder(path: string): boolean {
  return (
    existsSync(path) &&
    statSync(path).isDirectory() &&
    !existsSync(join(path, OUTPUT_MARKER)) &&
    ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((name) => existsSync(join(path, name)))
  );
}

/**
 * Reads `paths` as one set: a folder with a kustomization is built with `kubectl kustomize` and read
 * as its output (patches merged, as applied), unless synth wrote it; any other folder is read recursively; a `List` stands
 * for its items. Objects that name no namespace are put in `namespace` (`kubectl apply -n`).
 *
 * @returns the set, or why a folder could not be built
 * @throws the file system's error for a path that does not exist
 */
export function readInputSet(paths: readonly string[], namespace: string): InputSet | KustomizeFailure {
  const documents: ManifestDocument[] = [];
  const problems: ManifestFileProblem[] = [];
  const files: string[] = [];
  for (const path of paths) {
    if (isKustomizeFolder(path)) {
      const built = kustomizeBuild(path, 'a kustomize folder');
      if (typeof built !== 'string') return built;
      const name = `kustomize build ${path}`;
      const read = readManifestFile(name, built);
      documents.push(...read.documents);
      problems.push(...read.problems);
      files.push(name);
      continue;
    }
    const read = readManifestFiles([path]);
    documents.push(...read.documents);
    problems.push(...read.problems);
    files.push(...read.files);
  }
  const paths_ = new ObjectPaths();
  const byPath = new Map<string, ManifestDocument>();
  const objects = documents.map((document) => {
    const placed = inNamespace(document, namespace);
    const path = paths_.next(placed.manifest);
    byPath.set(path, placed);
    return objectOf(placed, path);
  });
  return { objects, documents: byPath, problems, files };
}

/** The document, its object in `namespace` when it is namespaced and names none. */
function inNamespace(document: ManifestDocument, namespace: string): ManifestDocument {
  const { manifest } = document;
  if (manifest.metadata.namespace !== undefined || CLUSTER_SCOPED.has(manifest.kind)) return document;
  const placed: Manifest = { ...manifest, metadata: { ...manifest.metadata, namespace } };
  return { ...document, manifest: placed };
}
