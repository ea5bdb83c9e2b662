import { type Document, isScalar, LineCounter, parseDocument } from 'yaml';
import { isMapping } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { keysOf } from '../../core/problems/field-path';
import type { Manifest } from '../../model/objects';
import { podTemplateField } from '../../model/pod-templates';
import { Locator } from '../config/config-file';

/**
 * What kustomize merges into objects deployed from elsewhere, read as the partial objects the
 * rules check (kubectl's kustomize v5.5, sigs.k8s.io/kustomize api/types/patch.go):
 * - a strategic merge patch: a partial object, checked as one (its annotations, not its schema);
 * - a JSON 6902 patch: a list of operations on the objects its `target` selects. Of these, those
 *   that add or replace a pod template annotation (`/spec/template/metadata/annotations/<key>`, `~1`
 *   for `/`) carry what Istio reads, and become a partial object of the target kind with it.
 */

/** The objects a kustomization patch selects (`target:`); every field optional. */
export interface PatchTarget {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/** A partial object read from a patch, with where each of its fields is. */
export interface PatchDocument {
  readonly manifest: Manifest;
  readonly locate: (field: FieldPath) => number;
}

/** The line of a key of a parsed YAML document (1-based), or of its nearest existing ancestor. */
type LineOf = (path: readonly (string | number)[]) => number;

/** Whether `value` is a JSON 6902 patch: a list of operations with `op` and `path`. */
export function isJson6902(value: unknown): value is readonly Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.every((op) => isMapping(op) && typeof op.op === 'string' && typeof op.path === 'string')
  );
}

/** `~1` is `/` and `~0` is `~` in a JSON pointer segment (RFC 6901). */
function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The pod template annotations a JSON 6902 patch adds or replaces, as one partial object of the
 * target's kind, located at each operation's value; undefined when it sets none (an image, the
 * replicas: nothing Istio reads).
 */
export function json6902Document(
  ops: readonly Record<string, unknown>[],
  target: PatchTarget,
  lineOf: LineOf,
): PatchDocument | undefined {
  const kind = target.kind ?? 'Deployment';
  const template = keysOf(podTemplateField(kind) ?? []);
  const metadata = template.length > 0 ? [...template, 'metadata'] : ['metadata'];
  const pointer = `/${metadata.join('/')}/annotations`;
  const annotations: Record<string, unknown> = {};
  const lines = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.op !== 'add' && op.op !== 'replace') return;
    const path = String(op.path);
    const at = lineOf([i, 'value']);
    if (path === pointer && isMapping(op.value)) {
      for (const [key, value] of Object.entries(op.value)) {
        annotations[key] = value;
        lines.set(key, at);
      }
    } else if (path.startsWith(`${pointer}/`) && !path.slice(pointer.length + 1).includes('/')) {
      const key = unescapePointer(path.slice(pointer.length + 1));
      annotations[key] = op.value;
      lines.set(key, at);
    }
  });
  if (lines.size === 0) return undefined;
  const apiVersion = target.group
    ? `${target.group}/${target.version ?? 'v1'}`
    : (target.version ?? (kind === 'Pod' ? 'v1' : 'apps/v1'));
  // A target without a name selects every object of its kind: name it so in findings.
  const name = target.name ?? `(every ${kind} of the target)`;
  const manifest: Record<string, unknown> = {
    apiVersion,
    kind,
    metadata: { name, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}) },
  };
  // The annotations at the pod metadata: the object's own for a Pod, its template's otherwise.
  let node = manifest;
  for (const key of metadata) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node.annotations = annotations;
  return {
    manifest: manifest as unknown as Manifest,
    locate: (field) => {
      const keys = keysOf(field);
      const annotation = keys[metadata.length + 1];
      return (typeof annotation === 'string' ? lines.get(annotation) : undefined) ?? lineOf([]);
    },
  };
}

/**
 * The patches written inline in a kustomization (`patches[].patch`, a YAML string), each as the
 * partial object the rules check, located in the kustomization file at the line of each field.
 */
export function inlinePatchDocuments(document: Document, lineCounter: LineCounter): PatchDocument[] {
  const kustomization = document.toJS() as Record<string, unknown>;
  const patches = Array.isArray(kustomization.patches) ? kustomization.patches : [];
  const found: PatchDocument[] = [];
  patches.forEach((entry, i) => {
    if (!isMapping(entry) || typeof entry.patch !== 'string') return;
    const node = document.getIn(['patches', i, 'patch'], true);
    if (!isScalar(node) || !node.range) return;
    // A block scalar's text starts on the line after its indicator; a quoted one on its own.
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    const first = lineCounter.linePos(node.range[0]).line + (block ? 1 : 0);
    const inner = new LineCounter();
    const parsed = parseDocument(entry.patch, { lineCounter: inner, version: '1.1' });
    if (parsed.errors.length > 0) return; // kustomize refuses it; the build says why
    const locator = new Locator('', parsed, inner);
    const innerLine: LineOf = (path) => first + locator.position(path).line - 1;
    const value: unknown = parsed.toJS();
    const target = isMapping(entry.target) ? (entry.target as PatchTarget) : {};
    if (isJson6902(value)) {
      const json = json6902Document(value, target, innerLine);
      if (json) found.push(json);
    } else if (isMapping(value) && typeof value.kind === 'string') {
      const metadata = isMapping(value.metadata) ? value.metadata : {};
      found.push({
        manifest: { ...value, metadata } as unknown as Manifest,
        locate: (field) => innerLine(keysOf(field)),
      });
    }
  });
  return found;
}
