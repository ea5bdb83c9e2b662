/**
 * The installation profiles each install method accepts, per release: the names of the files the
 * release ships (istioctl `manifests/profiles/<name>.yaml`, the istiod chart's
 * `manifests/charts/istio-control/istio-discovery/files/profile-<name>.yaml`, read at each release's
 * tag in istio/istio). The Sail Operator's `Istio` is checked against its CRD's enum instead.
 */
/** How a control plane is installed: istioctl, the Helm charts, or the Sail Operator. */
export type InstallMethod = 'istioctl' | 'helm' | 'sail';

interface ProfileRange {
  /** The first minor release with this list. */
  readonly since: number;
  readonly names: readonly string[];
}

/**
 * istioctl profiles: `external` left in 1.22, `openshift-ambient` and `stable` arrived
 * (istio/istio@1.21.6 and @1.22.0:manifests/profiles/).
 */
const ISTIOCTL_PROFILES: readonly ProfileRange[] = [
  {
    since: 17,
    names: ['ambient', 'default', 'demo', 'empty', 'external', 'minimal', 'openshift', 'preview', 'remote'],
  },
  {
    since: 22,
    names: [
      'ambient',
      'default',
      'demo',
      'empty',
      'minimal',
      'openshift',
      'openshift-ambient',
      'preview',
      'remote',
      'stable',
    ],
  },
];

/**
 * The istiod chart's profiles: none before 1.21 (the chart reads no `profile` value, so Helm ignores
 * it), then the files of istio/istio@1.21.0, @1.22.0 and @1.24.0 (`openshift` became the
 * `platform` value in 1.24). `default`, `minimal` and `empty` are istioctl's only: the chart fails
 * with "unknown profile <name>" (istio/istio@1.31.0-rc.0:manifests/charts/istio-control/
 * istio-discovery/templates/zzz_profile.yaml).
 */
const HELM_CHART_PROFILES: readonly ProfileRange[] = [
  { since: 17, names: [] },
  { since: 21, names: ['ambient', 'demo', 'openshift', 'preview'] },
  { since: 22, names: ['ambient', 'demo', 'openshift', 'openshift-ambient', 'preview', 'stable'] },
  { since: 24, names: ['ambient', 'demo', 'preview', 'remote', 'stable'] },
];

function namesAt(ranges: readonly ProfileRange[], minor: number): readonly string[] {
  return ranges.filter((r) => r.since <= minor).at(-1)?.names ?? [];
}

/**
 * The profiles `install` accepts on release 1.<minor>; undefined where another check owns the
 * answer (the Sail Operator CRD's enum).
 */
export function installProfiles(install: InstallMethod, minor: number): readonly string[] | undefined {
  if (install === 'istioctl') return namesAt(ISTIOCTL_PROFILES, minor);
  if (install === 'helm') return namesAt(HELM_CHART_PROFILES, minor);
  return undefined;
}
