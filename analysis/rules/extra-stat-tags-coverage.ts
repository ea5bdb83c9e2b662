import { isMetricCustomizationSource } from '../../core/contracts/construct-sources';
import { ProxyKind } from '../../core/istio/proxy-kind';
import { listOf, mappingAt } from '../../core/json-values';
import { problem } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, statsConfigOverrides } from '../../model/install-inputs';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

const SIDECARS: readonly string[] = [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR];

/**
 * The Wasm stats filter packs tags into stat names and only the names listed in extraStatTags are
 * extracted back into labels; an unlisted dimension turns into part of the metric name
 * (istio/istio#35943, istio/api#3037, first in 1.21.0). Every release this library targets runs the native filter
 * (1.17+), which ignores the list, so an incomplete list is a warning: it only bites proxies of an
 * older release still running in the mesh (during an upgrade), and it says the intent is half-done.
 */
export const extraStatTagsCoverageRule: AppRule = {
  id: 'extra-stat-tags-coverage',
  scope: 'object',
  summary:
    'Warns when a workload, or the mesh-wide defaultConfig of an IstioOperator, lists extraStatTags but not every new dimension its sidecars report: Wasm-filter proxies (before 1.17, e.g. during an upgrade) turn unlisted dimensions into part of the metric name (istio/istio#28910); the native filter ignores the list.',
  remediation: 'List every new dimension in extraStatTags while Wasm-filter proxies (before 1.17) remain.',
  kinds: [...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'warning',
  docs: 'docs/validation.md#extra-stat-tags-coverage',
  check(context: ValidationContext): RuleFinding[] {
    const sources = context.constructs
      .filter(isMetricCustomizationSource)
      .filter((s) => s.proxies.some((p) => SIDECARS.includes(p)));
    const reported = new Map<string, string>();
    for (const source of sources)
      for (const d of source.dimensionNames()) if (!reported.has(d)) reported.set(d, source.node.path);
    const findings: RuleFinding[] = [];
    for (const template of podTemplates(context.objects)) {
      const config = proxyConfigOf(template);
      if (!config || config instanceof Error) continue;
      const listed = config.extraStatTags ?? config.extra_stat_tags;
      if (!Array.isArray(listed) || listed.length === 0) continue;
      const missing = [...reported.keys()].filter((d) => !listed.includes(d)).sort();
      if (missing.length === 0) continue;
      findings.push({
        path: template.path,
        severity: 'warning',
        ...problem(
          [...proxyConfigField(template), 'extraStatTags'],
          listed,
          `every new dimension: ${[...reported.keys()].sort().join(', ')}`,
          { what: `misses ${missing.join(', ')}, which the sidecars of ${template.workload} report` },
        ),
        hint: `list ${template.workload} in extraStatTagsFor of ${[...new Set(missing.map((d) => reported.get(d)))].join(', ')}`,
      });
    }
    // The same list mesh-wide, against the sidecar dimensions an IstioOperator's configOverride adds (istio/istio#28910).
    for (const { path, manifest } of context.objects) {
      if (manifest.kind !== 'IstioOperator') continue;
      const listed = mappingAt(manifest, 'spec', 'meshConfig', 'defaultConfig').extraStatTags;
      if (!Array.isArray(listed) || listed.length === 0) continue;
      const added = new Set<string>();
      for (const { proxy, override } of statsConfigOverrides(manifest)) {
        if (proxy !== 'inboundSidecar' && proxy !== 'outboundSidecar') continue;
        for (const metric of listOf(override.metrics)) {
          for (const name of Object.keys(mappingAt(metric, 'dimensions'))) added.add(name);
        }
      }
      const missing = [...added].filter((d) => !listed.includes(d)).sort();
      if (missing.length === 0) continue;
      findings.push({
        path,
        severity: 'warning',
        ...problem(
          ['spec', 'meshConfig', 'defaultConfig', 'extraStatTags'],
          listed,
          `every new dimension: ${[...added].sort().join(', ')}`,
          {
            what: `misses ${missing.join(', ')}, which the configOverride adds to the sidecars' metrics: Wasm-filter proxies put it into the metric name instead of a label (istio/istio#28910)`,
          },
        ),
        hint: `add ${missing.join(', ')} to extraStatTags`,
      });
    }
    return findings;
  },
};
