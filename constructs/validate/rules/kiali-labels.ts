import { isMetricCustomizationSource } from '../../intent/sources';
import { apiGroupOf } from '../../names';
import { problem } from '../../problems/problem';
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

/** A removed tag Kiali reads: its graph loses the edges' protocol or traffic, silently. */
export const kialiLabelsRule: AppRule = {
  id: 'kiali-labels',
  scope: 'object',
  summary:
    'Warns where a label Kiali needs on istio_requests_total (request_protocol, response_code, the source and destination workloads, ...) is removed while the output deploys Kiali: its graph and health then show the traffic without it.',
  check(context: ValidationContext): RuleFinding[] {
    const kiali = context.objects.some(
      ({ manifest }) => manifest.kind === 'Kiali' && apiGroupOf(manifest.apiVersion) === 'kiali.io',
    );
    if (!kiali) return [];
    const findings: RuleFinding[] = [];
    for (const source of context.constructs.filter(isMetricCustomizationSource)) {
      if (source.metric !== 'requests_total') continue;
      for (const tag of source.removedTags().filter((t) => KIALI_REQUEST_LABELS.includes(t))) {
        findings.push({
          path: source.node.path,
          severity: 'warning',
          ...problem(['tagsToRemove'], tag, 'a label Kiali does not read, with backends.kiali deployed', {
            what: `removes a label of istio_requests_total that Kiali's graph and health read, and this output deploys Kiali`,
            hint: `keep ${tag} (kiali.io FAQ, "Which Istio metrics and attributes are required by Kiali?"), or drop Kiali`,
          }),
        });
      }
    }
    return findings;
  },
};
