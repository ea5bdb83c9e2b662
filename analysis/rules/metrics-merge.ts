import {
  AGENT_STATUS_PORT,
  atoiPort,
  parseScrapeTargets,
  scrapePortProblem,
} from '../../core/checks/scrape-target-checks';
import {
  PROMETHEUS_PORT_ANNOTATION,
  PROMETHEUS_SCRAPE_ANNOTATION,
  SCRAPE_TARGETS_ANNOTATION,
} from '../../core/istio/istio-names';
import { problem, statement } from '../../core/problems/problem';
import { type PodTemplate, podTemplates, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** The pod annotation that turns metrics merging off for one pod (istio/api@1.30.3:annotation/annotations.yaml). */
const MERGE_METRICS_ANNOTATION = 'prometheus.istio.io/merge-metrics';

/** Go's strconv.ParseBool, which the injector applies to these annotations. */
function parseBool(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** Whether the injector merges the pod's metrics: unless scraping or merging is switched off on the pod. */
function merged(template: PodTemplate): boolean {
  return (
    parseBool(template.annotations[PROMETHEUS_SCRAPE_ANNOTATION]) !== false &&
    parseBool(template.annotations[MERGE_METRICS_ANNOTATION]) !== false
  );
}

/**
 * The injector's checks of the metrics-merging annotations (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go
 * applyPrometheusMerge): from 1.31 it rejects a pod whose scrape targets, or whose
 * `prometheus.io/port`, name a port the agent or Envoy own; `prometheus.istio.io/scrape-targets`
 * with an entry without a port is ignored whole; and before 1.31 the annotation is not read.
 */
export const metricsMergeRule: AppRule = {
  id: 'metrics-merge',
  scope: 'object',
  summary:
    'The metrics-merging annotations of a pod name application ports the injector accepts: prometheus.istio.io/scrape-targets only on Istio 1.31 and later (earlier releases ignore it), with a port in every entry and none of the ports the agent or Envoy own (15000, 15020, 15090, …), which the 1.31 injector rejects, as it does for prometheus.io/port.',
  remediation: 'Name application ports the injector accepts, and scrape-targets only on Istio 1.31 and later.',
  kinds: [...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#metrics-merge',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const template of podTemplates(context.objects)) {
      if (!merged(template)) continue;
      const targets = template.annotations[SCRAPE_TARGETS_ANNOTATION];
      const port = template.annotations[PROMETHEUS_PORT_ANNOTATION];
      for (const target of context.targets) {
        const rejects = target.policy.has('scrapeTargetsAnnotation');
        if (typeof targets === 'string') {
          const field = [...template.field, SCRAPE_TARGETS_ANNOTATION];
          if (!rejects) {
            findings.push({
              path: template.path,
              severity: 'warning',
              ...statement(
                field,
                `is not read by Istio ${target.policy.version}, which merges only the endpoint of ${PROMETHEUS_PORT_ANNOTATION} and prometheus.io/path (the annotation arrived in Istio 1.31)`,
                'declare one endpoint with prometheus.io/port and prometheus.io/path, or target Istio 1.31 or later',
              ),
            });
            continue;
          }
          const parsed = parseScrapeTargets(targets);
          if (parsed instanceof Error) {
            findings.push({
              path: template.path,
              ...problem(field, targets, '`port:path` entries separated by commas', {
                what: `has an entry without a port (${parsed.message}), so the injector ignores the whole annotation`,
              }),
            });
            continue;
          }
          for (const entry of parsed) {
            const found = scrapePortProblem(field, atoiPort(entry.port), entry.port);
            if (found) findings.push({ path: template.path, ...withRejection(found) });
          }
        } else if (typeof port === 'string' && rejects && atoiPort(port) !== AGENT_STATUS_PORT) {
          // A port equal to the status port means the pod was injected already: the injector leaves it.
          const found = scrapePortProblem([...template.field, PROMETHEUS_PORT_ANNOTATION], atoiPort(port), port);
          if (found) findings.push({ path: template.path, ...withRejection(found) });
        }
      }
    }
    return findings;
  },
};

/** The injector fails the pod's admission on these: say so. */
function withRejection<T extends { readonly what?: string }>(found: T): T {
  const what = found.what ?? 'is not a port';
  return { ...found, what: `${what}; the injector rejects the pod` };
}
