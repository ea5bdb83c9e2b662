import { isMetricCustomizationSource } from '../../core/contracts/construct-sources';
import { STANDARD_LABELS } from '../../core/istio/standard-metrics';
import { problem } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS } from '../../model/install-inputs';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** A removed tag that no proxy emits for the metric changes nothing; usually a typo. */
export const removedTagRule: AppRule = {
  id: 'removed-tag',
  scope: 'object',
  summary:
    'Every tags_to_remove entry names a standard label or a dimension added to the same metric on the same proxies: removing anything else silently does nothing.',
  remediation: 'Remove only standard labels or dimensions added to the same metric on the same proxies.',
  kinds: ['Telemetry', ...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#removed-tag',
  check(context: ValidationContext): RuleFinding[] {
    const sources = context.constructs.filter(isMetricCustomizationSource);
    const findings: RuleFinding[] = [];
    for (const source of sources) {
      for (const tag of source.removedTags()) {
        if (STANDARD_LABELS.includes(tag)) continue;
        const adders = sources.filter(
          (s) =>
            s.mesh === source.mesh &&
            s.metric === source.metric &&
            s.dimensionNames().includes(tag) &&
            source.proxies.every((p) => s.proxies.includes(p)),
        );
        if (adders.length > 0) continue;
        findings.push({
          path: source.node.path,
          ...problem(
            ['tagsToRemove'],
            tag,
            `one of ${STANDARD_LABELS.join(', ')}, or a dimension added to ${source.metric}`,
            {
              what: `names neither a standard label nor a dimension of ${source.metric} on ${source.proxies.join(', ')}`,
            },
          ),
        });
      }
    }
    return findings;
  },
};
