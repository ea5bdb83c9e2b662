import type { TelemetryReview, WorkloadSetting } from './workload-telemetry';

/** The effective value of each setting of one workload (or of the mesh), as REPORT.md words it. */
export type EffectiveSettings = Readonly<Record<string, string>>;

/** One setting whose effective value differs between two reviews. */
export interface SettingDifference {
  /** `istioinaction/Deployment/webapp`, or `mesh-wide`. */
  readonly workload: string;
  readonly piece: string;
  /** As REPORT.md words it; `(none)` when the setting does not apply. */
  readonly before: string;
  readonly after: string;
}

export const MESH_WIDE = 'mesh-wide';

/** A review's settings as `piece → value`; dimensions, which all apply, sorted and joined. */
export function effectiveSettings(settings: readonly WorkloadSetting[]): EffectiveSettings {
  const out: Record<string, string> = {};
  // `requests_total (gateway): +b +a -c`: the order of the tags is the order of the keys written.
  const dimensions = settings
    .filter((s) => s.piece === 'dimensions')
    .map((s) => {
      const at = s.value.lastIndexOf(': ');
      return at < 0
        ? s.value
        : `${s.value.slice(0, at)}: ${s.value
            .slice(at + 2)
            .split(' ')
            .sort()
            .join(' ')}`;
    })
    .sort();
  if (dimensions.length > 0) out.dimensions = dimensions.join('; ');
  for (const s of settings) if (s.piece !== 'dimensions') out[s.piece] = s.value;
  return out;
}

/**
 * Every setting whose effective value differs between two reviews: mesh-wide, then per workload of
 * `before` (the last of a workload declared twice, the one applied), in its order.
 */
export function settingDifferences(before: TelemetryReview, after: TelemetryReview): SettingDifference[] {
  const differences: SettingDifference[] = [];
  const compare = (workload: string, a: EffectiveSettings, b: EffectiveSettings) => {
    for (const piece of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const was = a[piece] ?? '(none)';
      const is = b[piece] ?? '(none)';
      if (was !== is) differences.push({ workload, piece, before: was, after: is });
    }
  };
  compare(MESH_WIDE, effectiveSettings(before.mesh), effectiveSettings(after.mesh));
  const last = (review: TelemetryReview) => new Map(review.workloads.map((w) => [w.workload, w]));
  const afterByName = last(after);
  for (const [name, w] of last(before)) {
    compare(name, effectiveSettings(w.settings), effectiveSettings(afterByName.get(name)?.settings ?? []));
  }
  return differences;
}
