import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { MESH_WIDE, settingDifferences } from '../analysis/review/effective-settings';
import type { TelemetryReview } from '../analysis/review/workload-telemetry';
import { telemetryReview } from '../analysis/review/workload-telemetry';
import type { ConfigDraft } from '../app/adopt/config-draft';
import { draftYaml } from '../app/adopt/config-yaml';
import { type InputSet, readInputSet } from '../app/adopt/input-set';
import { resolvePolicy } from '../app/lint/manifest-validator';
import { ISTIOD_VALUES_KIND } from '../core/istio/istio-names';
import { synthConfigFile } from './synth';

/** One setting whose effective value differs between the input and the synthesized declaration. */
export interface RoundTripDifference {
  /** `istioinaction/Deployment/webapp`, or `mesh-wide`. */
  readonly workload: string;
  readonly piece: string;
  /** As explain words it; `(none)` when the setting does not apply. */
  readonly input: string;
  readonly output: string;
}

export interface RoundTrip {
  /** Workloads compared (mesh-wide counts as one). */
  readonly compared: number;
  readonly differences: readonly RoundTripDifference[];
  /** Settings not compared because import listed them as not expressed (or expressed another way). */
  readonly excused: number;
}

/**
 * What the cluster would hold after adopting the declaration: the input's objects the declaration
 * does not replace (the workloads, their Services, whatever import could not express), with the
 * synthesized folder and its patches, built by kustomize as `kubectl apply -k` would, and the
 * install inputs it writes for istiod.
 */
function appliedSet(set: InputSet, draft: ConfigDraft, work: string, namespace: string): InputSet {
  const kept = set.objects
    .filter((o) => !draft.replaced.has(o.path) && !o.patch && o.manifest.kind !== ISTIOD_VALUES_KIND)
    .map((o) => o.manifest);
  const applied = join(work, 'applied');
  writeFileSync(join(applied, 'kept.yaml'), kept.map((m) => stringify(m, { version: '1.1' })).join('---\n'));
  const patches = existsSync(join(applied, 'out', 'patches'));
  writeFileSync(
    join(applied, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [...(kept.length > 0 ? ['kept.yaml'] : []), 'out'],
      ...(patches ? { components: ['out/patches'] } : {}),
    }),
  );
  const install = join(applied, 'out', 'install');
  const read = readInputSet(existsSync(install) ? [applied, install] : [applied], namespace);
  if (!('objects' in read)) throw new Error(read.message);
  return read;
}

/**
 * Synthesizes the draft into a temporary folder and compares, workload by workload, the effective
 * settings of the input with those of what adopting it would apply. Settings import listed as not
 * expressed for a workload are not compared. Needs kubectl (its kustomize builds the folder).
 */
export async function checkRoundTrip(
  set: InputSet,
  draft: ConfigDraft,
  istioVersion: string,
  namespace: string,
  /** Where the draft is written: its workloads' manifests are named relative to its folder. */
  outFile: string,
): Promise<RoundTrip> {
  const policy = resolvePolicy(istioVersion);
  const work = mkdtempSync(join(tmpdir(), 'istio-observability-import-'));
  try {
    const config = join(work, 'applied', 'observability.yaml');
    const out = join(work, 'applied', 'out');
    // The copy is written elsewhere than `outFile`, whose folder the manifests are relative to.
    const text = draftYaml(draft, [], withAbsoluteManifests(draft, dirname(resolve(outFile))));
    mkdirSync(join(work, 'applied'), { recursive: true });
    writeFileSync(config, text);
    await synthConfigFile(config, out);
    const before = telemetryReview(set.objects, policy);
    const after = telemetryReview(appliedSet(set, draft, work, namespace).objects, policy);
    return compareReviews(before, after, draft);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The draft's declaration with each workload's manifest as an absolute path, for a copy written elsewhere. */
function withAbsoluteManifests(draft: ConfigDraft, base: string): Record<string, unknown> {
  const workloads = Object.fromEntries(
    Object.entries(draft.entries('workloads')).map(([key, w]) => [
      key,
      typeof w.manifest === 'string' && !isAbsolute(w.manifest) ? { ...w, manifest: resolve(base, w.manifest) } : w,
    ]),
  );
  return { ...draft.config, workloads };
}

/** The differences between two reviews, without what `draft` lists as not expressed. */
export function compareReviews(before: TelemetryReview, after: TelemetryReview, draft: ConfigDraft): RoundTrip {
  const excusedFor = (workload: string, piece: string) =>
    draft.notExpressed.some(
      (n) =>
        n.pieces.includes(piece) &&
        (n.workloads === undefined || (workload !== MESH_WIDE && n.workloads.includes(workload))),
    );
  // No tracer, and tracing turned off for want of a provider, send the same: no span.
  const noSpans = (value: string) => value === '(none)' || value.startsWith('off (');
  const all = settingDifferences(before, after).filter(
    (d) => !(d.piece === 'tracer' && noSpans(d.before) && noSpans(d.after)),
  );
  const differences = all
    .filter((d) => !excusedFor(d.workload, d.piece))
    .map((d) => ({ workload: d.workload, piece: d.piece, input: d.before, output: d.after }));
  return {
    compared: new Set(before.workloads.map((w) => w.workload)).size + 1,
    differences,
    excused: all.length - differences.length,
  };
}
