import { CUSTOM_BOOTSTRAP_KEY, ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { type FieldPath, overlaps } from '../../core/problems/field-path';
import type { Manifest } from '../../model/objects';

/**
 * When a change reaches running proxies: pushed over xDS by istiod, with the rollout a changed
 * pod template starts, or only after the pods restart. The one model the restart-required rule,
 * REPORT.md and `diff` read.
 */
export type TakesEffect = 'xds-push' | 'rollout' | 'restart-needed';

/** Where each workload kind keeps its pod template; a change under it replaces the pods. */
export const POD_TEMPLATE_FIELDS: Readonly<Record<string, FieldPath>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

/** A part of an object that proxies read once, when they start. */
export interface StartupField {
  readonly field: FieldPath;
  /** Why, and what to restart, for a reader. */
  readonly why: string;
}

/** Where each install method's document keeps the mesh-wide ProxyConfig (`meshConfig.defaultConfig`). */
function meshDefaultConfigField(manifest: Manifest): FieldPath | undefined {
  if (manifest.kind === 'IstioOperator') return ['spec', 'meshConfig', 'defaultConfig'];
  if (manifest.kind === ISTIOD_VALUES_KIND) return ['meshConfig', 'defaultConfig'];
  if (manifest.kind === 'Istio' && manifest.apiVersion.startsWith('sailoperator.io/')) {
    return ['spec', 'values', 'meshConfig', 'defaultConfig'];
  }
  return undefined;
}

/**
 * The parts of `manifest` read once, when a proxy or its pod starts: the mesh-wide ProxyConfig
 * (`meshConfig.defaultConfig`, part of the proxy's bootstrap) of an IstioOperator, the istiod
 * chart's values or a Sail Operator Istio, and a bootstrap override ConfigMap.
 * istio/istio#22311: "Its a bootstrap configuration, we cannot change it at runtime".
 */
export function startupFields(manifest: Manifest): StartupField[] {
  const defaultConfig = meshDefaultConfigField(manifest);
  if (defaultConfig) {
    return [
      {
        field: defaultConfig,
        why: 'mesh-wide ProxyConfig (meshConfig.defaultConfig) is read when a proxy starts',
      },
    ];
  }
  if (manifest.kind === 'Pod') {
    // A bare Pod has no controller to replace it: its proxy settings are read when it starts.
    return [{ field: ['metadata', 'annotations'], why: "a Pod's proxy annotations are read when it starts" }];
  }
  if (
    manifest.kind === 'ConfigMap' &&
    manifest.apiVersion === 'v1' &&
    CUSTOM_BOOTSTRAP_KEY in ((manifest.data ?? {}) as object)
  ) {
    return [{ field: ['data', CUSTOM_BOOTSTRAP_KEY], why: 'the bootstrap override is read when a pod starts' }];
  }
  return [];
}

/** When a change to `field` of `manifest` reaches running proxies. */
export function changeEffect(manifest: Manifest, field: FieldPath): TakesEffect {
  if (startupFields(manifest).some((s) => overlaps(s.field, field))) return 'restart-needed';
  const template = POD_TEMPLATE_FIELDS[manifest.kind];
  return template && overlaps(template, field) ? 'rollout' : 'xds-push';
}
