import { isMetricCustomizationSource } from '../../core/contracts/construct-sources';
import { listOf, mappingAt } from '../../core/json-values';
import { apiGroupOf } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import { problem } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, statsConfigOverrides } from '../../model/install-inputs';
import { isTelemetry, telemetryTagOverrides } from '../../model/telemetry-objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * Labels of `istio_requests_total` that Kiali's graph and health queries group by (kiali.io FAQ,
 * "Which Istio metrics and attributes are required by Kiali?"): the edge's protocol, response
 * code, flags and gRPC status, the reporter, and the workloads and services at both ends.
 */
const KIALI_REQUEST_LABELS = [
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'grpc_response_status',
  'reporter',
  'request_protocol',
  'response_code',
  'response_flags',
  'source_workload',
  'source_workload_namespace',
];

/** Telemetry metric selectors that cover istio_requests_total (an override without one covers all). */
const REQUEST_COUNT_SELECTORS = [undefined, 'ALL_METRICS', 'REQUEST_COUNT'];

const kialiProblem = (field: FieldPath, tag: string) =>
  problem(field, tag, 'a label Kiali does not read, with Kiali deployed', {
    what: `removes a label of istio_requests_total that Kiali's graph and health read, and Kiali is deployed`,
    hint: `keep ${tag} (kiali.io FAQ, "Which Istio metrics and attributes are required by Kiali?"), or drop Kiali`,
  });

/**
 * A removed tag Kiali reads: its graph loses the edges' protocol or traffic, silently. At synth
 * it is reported at the construct that removes it; in lint, at the hand-written Telemetry
 * (`tagOverrides` REMOVE) or IstioOperator (`configOverride` tags_to_remove) that does.
 */
export const kialiLabelsRule: AppRule = {
  id: 'kiali-labels',
  scope: 'mesh',
  summary:
    'Warns where a label Kiali needs on istio_requests_total (request_protocol, response_code, the source and destination workloads, ...) is removed while Kiali is deployed: its graph and health then show the traffic without it.',
  remediation: 'Keep the labels Kiali reads on istio_requests_total, or accept that its graph and health lose them.',
  kinds: ['Kiali', 'Telemetry', ...MESH_CONFIG_KINDS],
  severity: 'warning',
  docs: 'docs/validation.md#kiali-labels',
  check(context: ValidationContext): RuleFinding[] {
    const kiali = context.objects.some(
      ({ manifest }) => manifest.kind === 'Kiali' && apiGroupOf(manifest.apiVersion) === 'kiali.io',
    );
    if (!kiali) return [];
    const findings: RuleFinding[] = [];
    const sources = context.constructs.filter(isMetricCustomizationSource);
    for (const source of sources) {
      if (source.metric !== 'requests_total') continue;
      for (const tag of source.removedTags().filter((t) => KIALI_REQUEST_LABELS.includes(t))) {
        findings.push({ path: source.node.path, severity: 'warning', ...kialiProblem(['tagsToRemove'], tag) });
      }
    }
    // The constructs locate what they built better than its objects do; objects nobody built here
    // (lint) are read as they are.
    if (context.constructs.length > 0) return findings;
    for (const { path, manifest } of context.objects) {
      const removed: { field: FieldPath; tag: string }[] = [];
      if (isTelemetry(manifest)) {
        for (const { field, name, tag, match } of telemetryTagOverrides(manifest)) {
          if (!REQUEST_COUNT_SELECTORS.includes(match.metric as string | undefined)) continue;
          if (mappingAt(tag).operation !== 'REMOVE' || !KIALI_REQUEST_LABELS.includes(name)) continue;
          removed.push({ field, tag: name });
        }
      }
      for (const { field, override } of statsConfigOverrides(manifest)) {
        listOf(override.metrics).forEach((metric, m) => {
          const name = mappingAt(metric).name;
          if (name !== undefined && name !== 'requests_total') return;
          listOf(mappingAt(metric).tags_to_remove).forEach((tag, t) => {
            if (typeof tag !== 'string' || !KIALI_REQUEST_LABELS.includes(tag)) return;
            removed.push({ field: [...field, 'metrics', m, 'tags_to_remove', t], tag });
          });
        });
      }
      for (const { field, tag } of removed) findings.push({ path, severity: 'warning', ...kialiProblem(field, tag) });
    }
    return findings;
  },
};
