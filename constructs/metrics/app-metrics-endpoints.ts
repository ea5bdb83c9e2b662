import { Construct } from 'constructs';
import {
  DEFAULT_METRICS_PATH,
  renderScrapeTargets,
  type ScrapeTarget,
  scrapeTargetsProblems,
} from '../../core/checks/scrape-target-checks';
import {
  PROMETHEUS_PATH_ANNOTATION,
  PROMETHEUS_PORT_ANNOTATION,
  PROMETHEUS_SCRAPE_ANNOTATION,
  SCRAPE_TARGETS_ANNOTATION,
} from '../../core/istio/istio-names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { IstioMesh } from '../mesh/istio-mesh';
import { IstioPodAnnotations } from '../proxy-config/istio-pod-annotations';
import type { ObservedWorkload } from '../proxy-config/workload-ref';

export type { ScrapeTarget } from '../../core/checks/scrape-target-checks';

/** Props of {@link AppMetricsEndpoints}. */
export interface AppMetricsEndpointsProps {
  /** The mesh the workload runs in; its release decides how several endpoints are declared. */
  readonly mesh: IstioMesh;
  /** The workload whose application serves the metrics. */
  readonly workload: ObservedWorkload;
  /**
   * The application's metrics endpoints, in the order the agent merges them. Several need Istio
   * 1.31 or later (`prometheus.istio.io/scrape-targets`); one works on every release.
   */
  readonly endpoints: readonly ScrapeTarget[];
}

/** Why a pod has one set of these annotations, for the refusal of a second. */
const ONE_SET = 'the agent merges one set of application metrics endpoints per pod';

/**
 * The application metrics of a workload, scraped by its sidecar's agent and merged into the
 * `/stats/prometheus` it serves on the status port (15020) with Envoy's and its own, so one
 * Prometheus job (the envoy-stats PodMonitor, the scrape config's kubernetes-pods job) collects
 * them over the same connection (istio.io "Prometheus: Option 1: Metrics merging").
 *
 * One endpoint becomes `prometheus.io/port` and `prometheus.io/path`, which every release reads.
 * Several become `prometheus.istio.io/scrape-targets` (`port:path,…`), which the injector reads
 * from Istio 1.31 (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go applyPrometheusMerge); on an
 * earlier release they are refused, since it would merge none of them. Ports the agent or Envoy own
 * (15000, 15020, 15090, …) are refused on every release: the 1.31 injector rejects the pod, and
 * earlier ones would merge Istio's own output a second time.
 */
export class AppMetricsEndpoints extends Construct {
  /** The endpoints, with their paths defaulted. */
  readonly endpoints: readonly Required<ScrapeTarget>[];

  constructor(scope: Construct, id: string, props: AppMetricsEndpointsProps) {
    super(scope, id);
    const endpoints = props.endpoints ?? [];
    this.endpoints = endpoints.map((e) => ({ port: e.port, path: e.path ?? DEFAULT_METRICS_PATH }));
    const problems = scrapeTargetsProblems(['endpoints'], endpoints);
    if (endpoints.length > 1) {
      const needs = props.mesh.policy.featureProblem('scrapeTargetsAnnotation', ['endpoints'], endpoints, {
        expected: `one metrics endpoint (Istio ${props.mesh.policy.version} merges one per pod)`,
        hint: 'serve the metrics on one port and path, or target Istio 1.31 or later',
      });
      if (needs) problems.push(needs);
    }
    // Reported at synth with every other construct's problems; nothing is annotated until they are fixed.
    if (refuseInput(this, problems)) return;
    const annotations = IstioPodAnnotations.of(props.workload);
    annotations.setAnnotation(this, PROMETHEUS_SCRAPE_ANNOTATION, 'true', ONE_SET);
    const [only] = this.endpoints;
    if (only && this.endpoints.length === 1) {
      annotations.setAnnotation(this, PROMETHEUS_PORT_ANNOTATION, String(only.port), ONE_SET);
      annotations.setAnnotation(this, PROMETHEUS_PATH_ANNOTATION, only.path, ONE_SET);
    } else {
      annotations.setAnnotation(this, SCRAPE_TARGETS_ANNOTATION, renderScrapeTargets(this.endpoints), ONE_SET);
    }
  }
}
