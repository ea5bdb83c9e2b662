import type { IConstruct } from 'constructs';
import { builtMeshes } from '../../core/contracts/istio-mesh';
import { DEFAULT_ISTIO_VERSION, VersionPolicy } from '../../core/version/version-policy';
import { lintFileTexts } from '../lint/lint-stream';
import { asReviewed, type OutputFolderRecord, reviewedKey } from './output-record';

/**
 * Lints the YAML files a unit writes (by path relative to its folder) as `validate` would, and
 * records the warnings. The lint runs over the same rules on the files as written, so its
 * findings are exactly what `validate` of the folder reports.
 */
export async function recordOutputFolder(
  constructs: readonly IConstruct[],
  texts: ReadonlyMap<string, string>,
  declared?: string,
): Promise<OutputFolderRecord> {
  // Undeclared, the release its meshes agree on (the minor); none for objects of no mesh (GitOps).
  const releases = new Set(builtMeshes(constructs).map((mesh) => mesh.istioVersion));
  if (declared === undefined && releases.size > 1) return { reviewed: [] }; // several releases: validate names one
  const istioVersion = declared ?? [...releases][0];
  const lintRelease = istioVersion ?? VersionPolicy.supportedVersions().at(-1) ?? DEFAULT_ISTIO_VERSION;
  const report = await lintFileTexts(texts, { istioVersion: lintRelease, complete: false, disable: [] });
  const reviewed = report.findings
    .filter((f) => f.severity === 'warning' && f.rule !== 'object-schema')
    .map(asReviewed);
  const unique = new Map(reviewed.map((r) => [reviewedKey(r), r]));
  return {
    ...(istioVersion !== undefined ? { istioVersion } : {}),
    reviewed: [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
  };
}
