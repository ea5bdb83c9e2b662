import { isMapping, type JsonMapping, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { statement } from '../../core/problems/problem';
import type { FeatureName } from '../../core/version/version-features';
import { FEATURES } from '../../core/version/version-features';
import { describeFeature } from '../../core/version/version-policy';
import { MESH_CONFIG_KINDS, pilotValuePaths } from '../../model/install-inputs';
import type { Manifest } from '../../model/objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * istiod environment variables (feature flags) whose releases are in the feature table, and what
 * istiod does once the flag is gone.
 */
const ISTIOD_FLAGS: Readonly<Record<string, { readonly feature: FeatureName; readonly afterRemoval: string }>> = {
  PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: {
    feature: 'spawnUpstreamSpanForGatewayFlag',
    afterRemoval: 'upstream spans for gateway requests are always spawned',
  },
};

/** One istiod environment variable as an install input sets it. */
interface IstiodEnv {
  readonly name: string;
  readonly value: unknown;
  readonly field: FieldPath;
}

/** istiod's environment in an IstioOperator, istiod Helm values or a Sail `Istio` (maps and `k8s.env` lists). */
function istiodEnv(manifest: Manifest): IstiodEnv[] {
  // The chart reads `pilot.env` up to 1.23 and top-level `env` from 1.24 (flattened values).
  const found: IstiodEnv[] = pilotValuePaths(manifest, 'env').flatMap((field) =>
    Object.entries(mappingAt(manifest, ...(field as string[]))).map(([name, value]) => ({
      name,
      value,
      field: [...field, name],
    })),
  );
  if (manifest.kind === 'IstioOperator') {
    const list = mappingAt(manifest, 'spec', 'components', 'pilot', 'k8s').env;
    if (Array.isArray(list)) {
      list.forEach((entry: unknown, index) => {
        if (isMapping(entry) && typeof entry.name === 'string') {
          found.push({
            name: entry.name,
            value: (entry as JsonMapping).value,
            field: ['spec', 'components', 'pilot', 'k8s', 'env', index],
          });
        }
      });
    }
  }
  return found;
}

/**
 * istiod flags set for a release that does not read them: removed (1.31 removed
 * PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY, its behaviour always on) or not there yet. istiod ignores
 * an unknown variable, so the setting silently does nothing.
 */
export const istiodFlagsRule: AppRule = {
  id: 'istiod-flags',
  scope: 'object',
  summary:
    "istiod environment variables in an install input (IstioOperator, istiod Helm values, Sail Istio) are flags the target release reads: PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY is read from 1.26 to 1.30, and 1.31 always spawns the gateway's upstream spans, so an opt-out (false) no longer works.",
  remediation: 'Remove the istiod flag, or set it only for the releases that read it.',
  kinds: [...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#istiod-flags',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      for (const env of istiodEnv(manifest)) {
        const flag = ISTIOD_FLAGS[env.name];
        if (flag === undefined) continue;
        const { feature, afterRemoval } = flag;
        for (const { policy } of context.targets) {
          const status = policy.featureStatus(feature);
          if (status === 'present') continue;
          const source = FEATURES[feature].source;
          const what =
            status === 'not-yet'
              ? `is not read by Istio ${policy.version}: ${describeFeature(feature)}`
              : `is not read by Istio ${policy.version}: ${describeFeature(feature)}; ${afterRemoval}`;
          findings.push({
            path,
            severity: 'warning',
            ...statement(env.field, what, `remove it (source: ${source})`),
          });
        }
      }
    }
    return findings;
  },
};
