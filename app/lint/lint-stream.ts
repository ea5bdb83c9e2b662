import { readFileSync } from 'node:fs';
import { MeshContext } from '../../analysis/lint/mesh-context';
import type { ValidationContext } from '../../analysis/rule';
import { objectIdentity } from '../../analysis/rules/unique-objects';
import { crdBundlesOf, runRules } from '../../analysis/run-rules';
import { ObjectSchemas } from '../../analysis/schema/object-schemas';
import { type Finding, sortFindings } from '../../core/problems/finding';
import type { VersionPolicy } from '../../core/version/version-policy';
import type { RenderedObject } from '../../model/objects';
import { podTemplates, WORKLOAD_KINDS } from '../../model/pod-templates';
import {
  byPathSegments,
  isKustomization,
  isListedYaml,
  kustomizePatchFiles,
  listManifestFiles,
  type ManifestDocument,
  type ManifestFile,
  type ManifestFileProblem,
  type PatchFile,
  readManifestFile,
  withoutSyntaxTrees,
} from './manifest-files';
import {
  DistinctFindings,
  lintRules,
  locatedFinding,
  type ManifestValidationOptions,
  ObjectPaths,
  objectOf,
  resolvePolicy,
} from './manifest-validator';

/** What a lint of files found: every finding, sorted, and what was read. */
export interface LintReport {
  /** Sorted as `sortFindings` sorts: errors first, then by object path. */
  readonly findings: readonly Finding[];
  /** Files that are not YAML, documents that are not Kubernetes objects. */
  readonly problems: readonly ManifestFileProblem[];
  /** Every file read, in the order read. */
  readonly files: readonly string[];
  /** Files holding YAML that is not Kubernetes objects (Helm values), skipped. */
  readonly skipped: readonly string[];
  /** How many objects were checked. */
  readonly objects: number;
}

/**
 * Lints files and folders (as `readManifestFiles` reads them) one file at a time, with the same
 * findings as `validateManifests` over all their objects at once, and memory that does not grow
 * with the workloads: a file's objects are dropped once its findings are located.
 *
 * Rules of scope `object` see one file's objects. Rules of scope `mesh` run once over the
 * mesh-wide objects of every file (mesh-context.ts), which a first pass collects, parsing only the
 * files whose text may hold one; and over each file's pods with those objects. What they find
 * about a mesh-wide object is located on its file's turn, or, when a later file's pod brings it
 * up, by reading that file again at the end. Across files, `--complete` keeps only each object's
 * identity, for unique-objects.
 *
 * @throws ManifestValidationError when `istioVersion` is not a release the library implements
 */
export async function lintManifestFiles(
  paths: readonly string[],
  options: ManifestValidationOptions,
): Promise<LintReport> {
  return lintListed(listManifestFiles(paths), options, (file) => readFileSync(file, 'utf8'));
}

/**
 * {@link lintManifestFiles} over files held in memory, by path (`clusters/dev/mesh.k8s.yaml`): the
 * YAML files among them, in the order a folder of them is read. Synth lints its output this way
 * before writing it.
 */
export async function lintFileTexts(
  texts: ReadonlyMap<string, string>,
  options: ManifestValidationOptions,
): Promise<LintReport> {
  const files = [...texts.keys()].filter(isListedYaml).sort(byPathSegments);
  return lintListed(files, options, (file) => texts.get(file) ?? '');
}

/**
 * {@link lintManifestFiles} over one stream of YAML that is no file (`kubectl kustomize`'s output),
 * named `name` in findings, with its lines.
 */
export async function lintText(name: string, text: string, options: ManifestValidationOptions): Promise<LintReport> {
  return lintListed([name], options, () => text);
}

async function lintListed(
  files: readonly string[],
  options: ManifestValidationOptions,
  read: (file: string) => string,
): Promise<LintReport> {
  const policy = resolvePolicy(options.istioVersion);
  const patches = kustomizePatchFiles(files, read);
  const fast = await lintPass(files, patches, policy, options, false, read);
  // The fast test missed a mesh-wide object (an unusual spelling of its kind): read every file.
  return fast ?? ((await lintPass(files, patches, policy, options, true, read)) as LintReport);
}

/** Reports of lints of separate groups of files, as one: findings sorted, the rest in order. */
export function mergeLintReports(reports: readonly LintReport[]): LintReport {
  return {
    findings: sortFindings(reports.flatMap((r) => r.findings)),
    problems: reports.flatMap((r) => r.problems),
    files: reports.flatMap((r) => r.files),
    skipped: reports.flatMap((r) => r.skipped),
    objects: reports.reduce((sum, r) => sum + r.objects, 0),
  };
}

/** A mesh-wide object of some file, shown to the `mesh` rules while other files are checked. */
interface MeshObject {
  /** The index of its file in the files read. */
  readonly file: number;
  /** The object as the mesh rules see it, its path its key: checked, in the run over all of them. */
  readonly checked: RenderedObject;
  /** The same, read only for reference while a file's pods are checked (see RenderedObject.reference). */
  readonly reference: RenderedObject;
}

/**
 * How much text the first pass keeps parsed for the second, so files with mesh-wide objects are not
 * parsed twice: on Istio's own files, nearly every one, that was a third of the lint. Past it, files
 * are parsed again, and memory stays bounded whatever the folder's size.
 */
const KEPT_TEXT_BUDGET = 16 * 1024 * 1024;

/** A file's object, named independently of its path, which depends on the objects read before it. */
function objectKey(file: string, ordinal: number): string {
  return JSON.stringify([file, ordinal]);
}

/**
 * One lint of the files. Undefined when `thorough` is false and a mesh-wide object turns up in a
 * file the fast test did not parse: the other files' checks did not see it.
 */
async function lintPass(
  files: readonly string[],
  patches: ReadonlyMap<string, PatchFile>,
  policy: VersionPolicy,
  options: ManifestValidationOptions,
  thorough: boolean,
  readText: (file: string) => string,
): Promise<LintReport | undefined> {
  const complete = options.complete ?? false;
  const rules = lintRules(options);
  const meshContext = new MeshContext(rules);
  const objectRules = rules.filter((r) => r.scope === 'object');
  const meshRules = rules.filter((r) => r.scope !== 'object');
  // Of those, the ones that read workloads, and so may report on a file's pods: only they run
  // again per file. The others' findings are about the mesh-wide objects alone, taken once.
  const podRules = meshRules.filter((r) => r.kinds.some((k) => k === '*' || WORKLOAD_KINDS.includes(k)));

  // First pass: the mesh-wide objects of every file.
  const mesh: MeshObject[] = [];
  const meshKeys = new Set<string>();
  const kept = new Map<number, ManifestFile>(); // by file index: what the second pass need not parse
  let keptText = 0;
  if (meshRules.length > 0) {
    for (const [index, file] of files.entries()) {
      const text = readText(file);
      // Patches (named by a kustomization, or inline in one) are kept like mesh-wide objects.
      if (!thorough && !meshContext.mayHold(text) && !patches.has(file) && !isKustomization(file)) continue;
      const read = readManifestFile(file, text, patches.get(file));
      if (keptText + text.length <= KEPT_TEXT_BUDGET) {
        kept.set(index, withoutSyntaxTrees(file, text, read, patches.get(file)));
        keptText += text.length;
      }
      read.documents.forEach((document, ordinal) => {
        const manifest = meshContext.of(document.manifest, document.patch);
        if (!manifest) return;
        const key = objectKey(file, ordinal);
        meshKeys.add(key);
        const patch = document.patch ? { patch: true } : {};
        mesh.push({
          file: index,
          checked: { path: key, manifest, file, location: document.locate([]), ...patch },
          reference: { path: key, manifest, file, location: document.locate([]), reference: true, ...patch },
        });
      });
    }
  }

  const targets = [{ istioVersion: options.istioVersion, policy }];
  const findings = new DistinctFindings();
  const aboutMesh = new Map<string, Finding[]>(); // by object key: what the mesh rules found about it
  const record = (found: readonly Finding[]) => {
    for (const finding of found) {
      if (meshKeys.has(finding.path)) aboutMesh.set(finding.path, [...(aboutMesh.get(finding.path) ?? []), finding]);
      else findings.add(finding.path, finding); // a rule that could not run
    }
  };
  // The mesh rules over the mesh-wide objects of every file, once: what they find about them.
  const noSchemas = await ObjectSchemas.load(crdBundlesOf([policy]), []);
  if (mesh.length > 0) {
    const objects = mesh.map((m) => m.checked);
    record(runRules({ constructs: [], targets, schemas: noSchemas, complete, objects }, meshRules, '(files)'));
  }

  // Second pass: each file's objects; its pods with the mesh-wide objects of every file.
  const paths = new ObjectPaths();
  const earlierIdentities = new Map<string, string>();
  const finalPaths = new Map<string, string>(); // object key of a mesh-wide object → its path
  const problems: ManifestFileProblem[] = [];
  const skipped: string[] = [];
  let objects = 0;
  for (const [index, file] of files.entries()) {
    const read = kept.get(index) ?? readManifestFile(file, readText(file), patches.get(file));
    kept.delete(index);
    problems.push(...read.problems);
    if (read.skipped) skipped.push(file);
    objects += read.documents.length;
    const own: RenderedObject[] = [];
    const ownPods: RenderedObject[] = []; // and every other object that is not mesh-wide
    const ownMesh: [string, string, ManifestDocument][] = []; // object key, path, document
    const byPath = new Map<string, ManifestDocument>();
    for (const [ordinal, document] of read.documents.entries()) {
      const key = objectKey(file, ordinal);
      if (meshRules.length > 0 && !meshKeys.has(key) && meshContext.of(document.manifest, document.patch)) {
        return undefined;
      }
      const path = paths.next(document.manifest);
      const object = objectOf(document, path);
      byPath.set(path, document);
      own.push(object);
      if (meshKeys.has(key)) {
        finalPaths.set(key, path);
        ownMesh.push([key, path, document]);
      } else ownPods.push(object);
    }
    if (own.length === 0) continue;
    const schemas = await ObjectSchemas.load(
      crdBundlesOf([policy]),
      own.map((o) => o.manifest),
    );
    const base: Omit<ValidationContext, 'objects'> = { constructs: [], targets, schemas, complete, earlierIdentities };
    /** A finding about an object of this file is located now; any other is the mesh's (or a rule that could not run). */
    const take = (found: readonly Finding[]) => {
      for (const finding of found) {
        const document = byPath.get(finding.path);
        if (document) findings.add(finding.path, locatedFinding(finding, finding.path, document));
        else record([finding]);
      }
    };
    take(runRules({ ...base, objects: own }, objectRules, '(files)'));
    // Beyond the mesh-wide objects, the mesh rules report only on pods, with what the mesh says
    // about them (a bootstrap ConfigMap, the mesh's stats matcher); their view of the mesh-wide
    // objects themselves is the same from every file and was taken once above.
    if (podRules.length > 0 && podTemplates(ownPods).length > 0) {
      const before = mesh.filter((m) => m.file < index).map((m) => m.reference);
      const after = mesh.filter((m) => m.file >= index).map((m) => m.reference);
      // In reading order, as validateManifests shows them: some rules take the first of several.
      take(runRules({ ...base, objects: [...before, ...ownPods, ...after] }, podRules, '(files)'));
    }
    for (const [key, path, document] of ownMesh) {
      for (const finding of aboutMesh.get(key) ?? []) findings.add(key, locatedFinding(finding, path, document));
      aboutMesh.delete(key);
    }
    // Files linted on their own collide only within a file; complete output across files too.
    if (complete) {
      for (const object of own) {
        const identity = objectIdentity(object, complete);
        if (identity !== undefined && !earlierIdentities.has(identity)) earlierIdentities.set(identity, object.path);
      }
    }
  }

  // What the mesh rules found about an object of a file already checked (a pod of a later file
  // named its bootstrap ConfigMap): read that file again to locate it.
  const byFile = new Map<string, [string, Finding][]>();
  for (const [key, found] of aboutMesh) {
    const [file] = JSON.parse(key) as [string, number];
    for (const finding of found) byFile.set(file, [...(byFile.get(file) ?? []), [key, finding]]);
  }
  for (const [file, found] of byFile) {
    const documents = readManifestFile(file, readText(file), patches.get(file)).documents;
    for (const [key, finding] of found) {
      const [, ordinal] = JSON.parse(key) as [string, number];
      const document = documents[ordinal] as ManifestDocument;
      findings.add(key, locatedFinding(finding, finalPaths.get(key) as string, document));
    }
  }
  return { findings: sortFindings(findings.all()), problems, files, skipped, objects };
}
