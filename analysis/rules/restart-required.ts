import { SECURE_MERGED_METRICS_PORT_ENV } from '../../core/istio/istio-names';
import { isMapping, mappingAt } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS } from '../../model/install-inputs';
import { startupFields } from '../review/change-effect';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** pilot-agent variables of the mTLS metrics listeners, which the injector reads (Istio 1.31). */
const SECURE_METRICS_ENV = [SECURE_MERGED_METRICS_PORT_ENV, 'ENVOY_SECURE_METRICS_PORT'];

/** ProxyConfig fields read once, when the proxy's bootstrap is generated (istio/istio#22311). */
const BOOTSTRAP_FIELDS = ['proxyStatsMatcher', 'extraStatTags', 'tracing'];

/**
 * Bootstrap settings reach a proxy only when it starts (istio/istio#22311: "Its a bootstrap
 * configuration, we cannot change it at runtime"). A pod template annotation restarts its pods by
 * itself; the mesh defaults and a bootstrap ConfigMap do not, hence these warnings. Which parts
 * of which objects are read at start is change-effect.ts's, shared with REPORT.md and `diff`.
 */
export const restartRequiredRule: AppRule = {
  id: 'restart-required',
  scope: 'object',
  summary:
    'Warns where a change reaches running proxies only after their pods restart: mesh-wide ProxyConfig defaults (stats matcher, extraStatTags, tracing) and bootstrap override ConfigMaps.',
  remediation: 'After applying the change, restart the workloads it reaches (kubectl rollout restart).',
  kinds: [...MESH_CONFIG_KINDS, 'ConfigMap', 'Pod'],
  severity: 'warning',
  docs: 'docs/validation.md#restart-required',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      // A bare Pod is recreated to change it, which restarts its proxy anyway.
      if (manifest.kind === 'Pod') continue;
      for (const { field, value } of startupFields(manifest)) {
        // The mesh-wide ProxyConfig of an install input (model/install-inputs.ts).
        if (field.at(-1) === 'defaultConfig') {
          if (value === undefined) continue;
          const defaultConfig = mappingAt(value);
          const secureKeys = SECURE_METRICS_ENV.filter(
            (k) => mappingAt(defaultConfig, 'proxyMetadata')[k] !== undefined,
          );
          if (secureKeys.length > 0) {
            findings.push({
              path,
              severity: 'warning',
              ...statement(
                [...field, 'proxyMetadata', { keys: secureKeys }],
                "is applied by the sidecar injector when it creates a pod, which also sets the pod's prometheus.istio.io/secure-port annotation (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go lines 886-913): running pods keep serving metrics without mTLS",
                'after installing it, restart the meshed workloads (kubectl rollout restart) so their pods are injected again',
              ),
            });
          }
          const fields = BOOTSTRAP_FIELDS.filter((f) => defaultConfig[f] !== undefined);
          if (fields.length === 0 || !isMapping(defaultConfig)) continue;
          findings.push({
            path,
            severity: 'warning',
            ...statement(
              [...field, { keys: fields }],
              'takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart)',
            ),
          });
        } else {
          findings.push({
            path,
            severity: 'warning',
            ...statement(field, 'is read when a pod starts; after changing it, restart the workloads that use it'),
          });
        }
      }
    }
    return findings;
  },
};
