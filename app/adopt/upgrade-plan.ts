import { type SettingDifference, settingDifferences } from '../../analysis/review/effective-settings';
import { type TelemetryReview, telemetryReview } from '../../analysis/review/workload-telemetry';
import {
  BEHAVIOUR_CHANGES,
  type BehaviourChange,
  compareReleases,
  crosses,
} from '../../analysis/upgrade/behaviour-changes';
import { type FieldPath, renderField } from '../../core/problems/field-path';
import type { Finding } from '../../core/problems/finding';
import type { SourceLocation } from '../../core/problems/source-location';
import { IstioVersion } from '../../core/version/istio-version';
import { resolvePolicy, validateManifests } from '../lint/manifest-validator';
import { describeObject } from './config-draft';
import type { InputSet } from './input-set';

/** A behaviour change that hits objects of the input, with where. */
export interface HitChange {
  readonly change: BehaviourChange;
  readonly objects: readonly { readonly object: string; readonly field: string; readonly location?: SourceLocation }[];
}

/** One release to the next: what changes for the input. */
export interface PlanStep {
  readonly from: string;
  readonly to: string;
  /** Behaviour changes at `to` that hit the input. */
  readonly changes: readonly HitChange[];
  /** What lint finds at `to` and did not at `from`: the input is wrong, or means something else, from `to`. */
  readonly findings: readonly Finding[];
  /** Settings whose effective value changes for a workload (Istio's precedence changed). */
  readonly settings: readonly SettingDifference[];
}

export interface UpgradePlan {
  readonly steps: readonly PlanStep[];
  /** What lint finds at both ends: already so before the upgrade, still so after. */
  readonly persisting: readonly Finding[];
}

/**
 * The releases an upgrade passes through, one minor at a time (istioctl and the charts support
 * upgrading one minor, or two with a canary, at a time): `1.21` to `1.24` is 1.21, 1.22, 1.23,
 * 1.24; the ends as given, patch included.
 */
export function upgradeSteps(from: string, to: string): string[] {
  const a = IstioVersion.tryParse(from);
  const b = IstioVersion.tryParse(to);
  if (!a || !b) return [from, to];
  const releases = [from];
  for (let minor = a.minor + 1; minor < b.minor; minor++) releases.push(`${a.major}.${minor}`);
  if (to !== from) releases.push(to);
  return releases;
}

/** A finding's identity across releases: its rule, object, field and words without release numbers. */
function findingKey(f: Finding): string {
  const unversioned = (text: string | undefined) => (text ?? '').replace(/\b1\.\d+(\.\d+)?\b/g, 'X');
  return JSON.stringify([f.rule, f.path, f.field, f.severity, unversioned(f.what)]);
}

/** Findings that say nothing about the release (a kind no schema is known for). */
function isReleaseFinding(f: Finding): boolean {
  return !(f.rule === 'object-schema' && f.severity === 'warning');
}

/**
 * Plans an upgrade of the objects (hand-written YAML or a dump) from one release to another, step
 * by step: at each, the behaviour changes that hit them (with their sources), what lint finds anew,
 * and the settings whose effective value changes for a workload.
 *
 * @throws ManifestValidationError when a release is not one the library implements
 */
export async function planInputSet(set: InputSet, from: string, to: string): Promise<UpgradePlan> {
  const releases = upgradeSteps(from, to);
  const documents = [...set.documents.values()];
  const findingsAt = new Map<string, Finding[]>();
  const reviewAt = new Map<string, TelemetryReview>();
  for (const release of releases) {
    const found = await validateManifests(documents, { istioVersion: release, complete: true });
    findingsAt.set(release, found.filter(isReleaseFinding));
    reviewAt.set(release, telemetryReview(set.objects, resolvePolicy(release)));
  }
  const locate = (path: string, field: FieldPath) => set.documents.get(path)?.locate(field);
  const steps: PlanStep[] = [];
  for (let i = 1; i < releases.length; i++) {
    const a = releases[i - 1] as string;
    const b = releases[i] as string;
    const before = new Set((findingsAt.get(a) ?? []).map(findingKey));
    const changes = BEHAVIOUR_CHANGES.filter((c) => crosses(c.release, a, b)).flatMap((change): HitChange[] => {
      const hit = change.affects(set.objects);
      if (hit.length === 0) return [];
      return [
        {
          change,
          objects: hit.map(({ path, field }) => {
            const object = set.objects.find((o) => o.path === path);
            const location = locate(path, field);
            return {
              object: object ? describeObject(object) : path,
              field: renderField(field),
              ...(location ? { location } : {}),
            };
          }),
        },
      ];
    });
    steps.push({
      from: a,
      to: b,
      changes,
      findings: (findingsAt.get(b) ?? []).filter((f) => !before.has(findingKey(f))),
      settings: settingDifferences(reviewAt.get(a) as TelemetryReview, reviewAt.get(b) as TelemetryReview),
    });
  }
  const first = new Set((findingsAt.get(from) ?? []).map(findingKey));
  const persisting = (findingsAt.get(to) ?? []).filter((f) => first.has(findingKey(f)));
  return { steps, persisting };
}

/** Whether `from` comes before `to`. */
export function isUpgrade(from: string, to: string): boolean {
  return compareReleases(from, to) < 0;
}
