import { renderField } from '../../core/problems/field-path';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshDefaultConfigs } from '../../model/install-inputs';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** The deprecated per-pod annotations that replace ProxyConfig's proxyStatsMatcher (istio/api@1.30.3:annotation/annotations.yaml; istio/istio#22311). */
export const STATS_INCLUSION_ANNOTATIONS: readonly string[] = [
  'sidecar.istio.io/statsInclusionPrefixes',
  'sidecar.istio.io/statsInclusionSuffixes',
  'sidecar.istio.io/statsInclusionRegexps',
];

/**
 * istiod reads proxyStatsMatcher only when none of the statsInclusion annotations is set ("only
 * consider proxy config if annotation is not set instead of merging", pkg/bootstrap/config.go), so
 * mixing them silently drops the matcher's inclusions.
 */
export const statsInclusionExclusiveRule: AppRule = {
  id: 'stats-inclusion-exclusive',
  summary:
    'A pod never combines the deprecated sidecar.istio.io/statsInclusion* annotations with proxyStatsMatcher (its own or the mesh default): the annotation replaces the matcher instead of merging with it.',
  remediation: 'Move the sidecar.istio.io/statsInclusion* annotations into proxyStatsMatcher.',
  kinds: [...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#stats-inclusion-exclusive',
  check(context: ValidationContext): RuleFinding[] {
    const meshMatcher = meshDefaultConfigs(context.objects).some(
      (m) => m.defaultConfig.proxyStatsMatcher !== undefined,
    );
    const findings: RuleFinding[] = [];
    for (const template of podTemplates(context.objects)) {
      const annotations = STATS_INCLUSION_ANNOTATIONS.filter((a) => template.annotations[a] !== undefined);
      if (annotations.length === 0) continue;
      const config = proxyConfigOf(template);
      const own = config && !(config instanceof Error) && config.proxyStatsMatcher !== undefined;
      if (!own && !meshMatcher) continue;
      findings.push({
        path: template.path,
        ...statement(
          template.field,
          `sets ${annotations.join(', ')} and ${own ? `${renderField([...proxyConfigField(template), 'proxyStatsMatcher'])}` : 'the mesh default proxyStatsMatcher applies'} (got both, expected one of them: the annotation replaces the matcher, so its inclusions are lost)`,
        ),
        hint: 'drop the annotations and use StatsInclusion, which writes proxyStatsMatcher',
      });
    }
    return findings;
  },
};
