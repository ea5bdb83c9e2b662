import { CUSTOM_BOOTSTRAP_KEY } from '../../bootstrap/bootstrap-override';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { bootstrapConfigMaps, meshDefaultConfigs } from './rendered-objects';

/** ProxyConfig fields read once, when the proxy's bootstrap is generated (facts A.9, B.5, B.8). */
const BOOTSTRAP_FIELDS = ['proxyStatsMatcher', 'extraStatTags', 'tracing'];

/**
 * Bootstrap settings reach a proxy only when it starts (istio/istio#22311: "Its a bootstrap
 * configuration, we cannot change it at runtime"). A pod template annotation restarts its pods by
 * itself; the mesh defaults and a bootstrap ConfigMap do not, hence these warnings.
 */
export const restartRequiredRule: AppRule = {
  id: 'restart-required',
  summary:
    'Warns where a change reaches running proxies only after their pods restart: mesh-wide ProxyConfig defaults (stats matcher, extraStatTags, tracing) and bootstrap override ConfigMaps.',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, defaultConfig } of meshDefaultConfigs(context.objects)) {
      const fields = BOOTSTRAP_FIELDS.filter((f) => defaultConfig[f] !== undefined);
      if (fields.length === 0) continue;
      findings.push({
        path,
        severity: 'warning',
        message: `spec.meshConfig.defaultConfig.{${fields.join(',')}}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart)`,
      });
    }
    for (const { path } of bootstrapConfigMaps(context.objects)) {
      findings.push({
        path,
        severity: 'warning',
        message: `data["${CUSTOM_BOOTSTRAP_KEY}"]: is read when a pod starts; after changing it, restart the workloads that use it`,
      });
    }
    return findings;
  },
};
