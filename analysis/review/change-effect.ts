import { CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { type FieldPath, overlaps } from '../../core/problems/field-path';
import { bootstrapOverrideOf } from '../../model/bootstrap-overrides';
import { installInputOf } from '../../model/install-inputs';
import type { Manifest } from '../../model/objects';
import { podTemplateField } from '../../model/pod-templates';

/**
 * When a change reaches running proxies: pushed over xDS by istiod, with the rollout a changed
 * pod template starts, or only after the pods restart. The one model the restart-required rule,
 * REPORT.md and `diff` read.
 */
export type TakesEffect = 'xds-push' | 'rollout' | 'restart-needed';

/** A part of an object that proxies read once, when they start. */
export interface StartupField {
  readonly field: FieldPath;
  /** Why, and what to restart, for a reader. */
  readonly why: string;
  /** What is there (for a mesh config's `defaultConfig`, the ProxyConfig), as written. */
  readonly value: unknown;
}

/**
 * The parts of `manifest` read once, when a proxy or its pod starts: the mesh-wide ProxyConfig
 * (`meshConfig.defaultConfig`, part of the proxy's bootstrap) of every install input
 * (model/install-inputs.ts: an IstioOperator, the istiod chart's values, a Sail Operator Istio,
 * the mesh ConfigMap), and a bootstrap override ConfigMap.
 * istio/istio#22311: "Its a bootstrap configuration, we cannot change it at runtime".
 */
export function startupFields(manifest: Manifest): StartupField[] {
  const input = installInputOf(manifest);
  if (input) {
    return input.meshConfigs.map(({ field, meshConfig }) => ({
      field: [...field, 'defaultConfig'],
      why: 'mesh-wide ProxyConfig (meshConfig.defaultConfig) is read when a proxy starts',
      value: meshConfig.defaultConfig,
    }));
  }
  if (manifest.kind === 'Pod') {
    // A bare Pod has no controller to replace it: its proxy settings are read when it starts.
    return [
      {
        field: ['metadata', 'annotations'],
        why: "a Pod's proxy annotations are read when it starts",
        value: manifest.metadata.annotations,
      },
    ];
  }
  const override = bootstrapOverrideOf(manifest);
  if (override) {
    return [
      {
        field: ['data', CUSTOM_BOOTSTRAP_KEY],
        why: 'the bootstrap override is read when a pod starts',
        value: override.value,
      },
    ];
  }
  return [];
}

/** When a change to `field` of `manifest` reaches running proxies. */
export function changeEffect(manifest: Manifest, field: FieldPath): TakesEffect {
  if (startupFields(manifest).some((s) => overlaps(s.field, field))) return 'restart-needed';
  const template = podTemplateField(manifest.kind);
  return template && overlaps(template, field) ? 'rollout' : 'xds-push';
}
