import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { OwnAnnotations, WorkloadKind } from '../../constructs/proxy-config/workload-ref';
import { problem } from '../../core/errors';
import { isMapping } from '../../core/json-values';
import { formatValue, type Problem } from '../../core/problems/problem';
import { renderLocation } from '../../core/problems/source-location';
import { valueAt } from '../../model/install-inputs';
import { podTemplates } from '../../model/pod-templates';
import { readManifestFiles } from '../lint/manifest-files';

/**
 * The pod template annotations of a workload as its team's manifest declares them: the file or
 * folder of YAML they deploy it from (read as written, not built: a kustomization that would
 * include our patches must not feed them back). The object is found by kind and name, and by
 * namespace when the file sets one (kustomize's `namespace:` often does instead).
 *
 * @param path as the config gives it, relative to `baseDir`
 * @returns the annotations with where they were read, or the problems (field `manifest`)
 */
export function readOwnAnnotations(
  baseDir: string,
  path: string,
  workload: { readonly kind: WorkloadKind; readonly name: string; readonly namespace: string },
): OwnAnnotations | Problem[] {
  const full = isAbsolute(path) ? path : join(baseDir, path);
  const shown = relative('.', full) || '.';
  if (!existsSync(full)) {
    return [
      problem(['manifest'], path, 'a file or folder of YAML that deploys the workload', {
        what: `does not exist (${shown})`,
      }),
    ];
  }
  const read = readManifestFiles([shown]);
  const problems: Problem[] = read.problems.map((p) =>
    problem(['manifest'], path, 'YAML Kubernetes objects', {
      what: `has a problem at ${renderLocation(p.location)}: ${p.what ?? 'unreadable'}`,
    }),
  );
  if (problems.length > 0) return problems;
  const found = read.documents.filter(
    ({ manifest }) =>
      manifest.kind === workload.kind &&
      manifest.metadata.name === workload.name &&
      (manifest.metadata.namespace === undefined || manifest.metadata.namespace === workload.namespace),
  );
  const described = `${workload.kind} ${workload.namespace}/${workload.name}`;
  if (found.length !== 1) {
    return [
      problem(['manifest'], path, `a file or folder holding ${described} once`, {
        what:
          found.length === 0
            ? `has no ${described}`
            : `holds ${described} ${found.length} times (${found.map((d) => renderLocation(d.locate([]))).join(', ')})`,
      }),
    ];
  }
  const [document] = found as [(typeof found)[number]];
  // The one reader of pod templates (model/pod-templates.ts) says where the kind keeps them.
  const [template] = podTemplates([{ path, manifest: document.manifest }]);
  const field = template?.field ?? [];
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(template?.annotations ?? {})) {
    if (typeof value !== 'string') {
      return [
        problem(['manifest'], path, 'annotations whose values are strings', {
          what: `sets ${key} to ${formatValue(value)} at ${renderLocation(document.locate(field))}, which Kubernetes refuses`,
        }),
      ];
    }
    own[key] = value;
  }
  // Named as the config names it (relative to its folder), so the output does not depend on where synth runs.
  const at = document.locate(isMapping(valueAt(document.manifest, field)) ? field : []);
  const file = relative(baseDir, at.file).split(sep).join('/');
  return { source: `${file}:${at.line}`, annotations: own };
}
