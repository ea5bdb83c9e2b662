import { problem } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';

/** kube-prometheus-stack's chart name, which its `fullname` helper appends to the release name. */
const CHART_NAME = 'kube-prometheus-stack';

export interface KubePrometheusStackProps {
  /**
   * The Helm release name. kube-prometheus-stack's Prometheus selects ServiceMonitors, PodMonitors
   * and PrometheusRules labelled `release: <release>` unless its `*SelectorNilUsesHelmValues` are
   * false (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/service.yaml).
   * @default 'prom' (the book's release)
   */
  readonly release?: string;
  /**
   * The namespace the chart is installed in; the monitors, rules and dashboards go there too.
   * @default 'prometheus'
   */
  readonly namespace?: string;
  /**
   * The URL Kiali and Grafana query.
   * @default - the chart's Prometheus Service: `http://<fullname>-prometheus.<namespace>:9090`
   */
  readonly url?: string;
}

/**
 * The Prometheus that scrapes the mesh: where its monitors go, the label it selects them by, and
 * the URL to query it at. Defined once, so the monitors, the recording rules, the dashboards'
 * data source and Kiali all point at the same instance.
 */
export class PrometheusInstance {
  /** A kube-prometheus-stack install, as Istio in Action sets it up (chapter 7). */
  static kubePrometheusStack(props: KubePrometheusStackProps = {}): PrometheusInstance {
    const release = props.release ?? 'prom';
    const namespace = props.namespace ?? 'prometheus';
    return new PrometheusInstance(
      namespace,
      { release },
      props.url ?? `http://${kubePrometheusStackFullname(release)}-prometheus.${namespace}:9090`,
    );
  }

  private constructor(
    /** Namespace of the Prometheus Operator objects this library emits. */
    readonly namespace: string,
    /** Labels that make the instance select an object. */
    readonly selectorLabels: Readonly<Record<string, string>>,
    readonly url: string,
  ) {}

  /** Problems with the instance's settings, for the construct that uses it. */
  problems(field: FieldPath): Problem[] {
    const problems: Problem[] = [];
    if (!isDnsLabel(this.namespace))
      problems.push(problem([...field, 'namespace'], this.namespace, 'a namespace name (RFC 1123 label)'));
    const release = this.selectorLabels.release ?? '';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(release) || release.length > 53) {
      problems.push(
        problem(
          [...field, 'release'],
          release,
          'a Helm release name (lowercase RFC 1123 label, at most 53 characters)',
        ),
      );
    }
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(this.url)) {
      problems.push(problem([...field, 'url'], this.url, 'an http:// or https:// URL'));
    }
    return problems;
  }
}

/**
 * The chart's `kube-prometheus-stack.fullname`: the release name if it contains the chart name,
 * else `<release>-kube-prometheus-stack`, truncated to 26 characters with a trailing `-` trimmed
 * (prometheus-community/helm-charts charts/kube-prometheus-stack/templates/_helpers.tpl).
 */
export function kubePrometheusStackFullname(release: string): string {
  const full = release.includes(CHART_NAME) ? release : `${release}-${CHART_NAME}`;
  return full.slice(0, 26).replace(/-$/, '');
}

/** Prometheus durations as the Prometheus Operator CRDs accept them, e.g. `15s`, `1m30s`. */
export function durationProblems(field: FieldPath, value: string): Problem[] {
  return /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/.test(value) &&
    value !== ''
    ? []
    : [problem(field, value, 'a Prometheus duration such as "15s" or "1m30s"')];
}
