import { problem } from '../../core/errors';
import type { Problem } from '../../core/problems/problem';

/** Istio's Helm chart repository (istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_HELM_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

/**
 * The chart version of a control plane GitOps manages: the exact release. A range (`1.26.*`)
 * would upgrade the control plane at every patch Istio publishes, unreviewed; so a target that
 * names no patch is refused.
 */
export function exactChartVersion(field: readonly string[], istioVersion: string): string | Problem {
  return /^\d+\.\d+\.\d+$/.test(istioVersion)
    ? istioVersion
    : problem(field, istioVersion, 'the exact release the control plane runs, MAJOR.MINOR.PATCH, e.g. 1.26.8', {
        what: 'names no patch, and a chart version range would upgrade istiod at every patch release',
      });
}

/**
 * The charts install istiod's validating webhooks (`istio-validator-<namespace>` from istiod,
 * `istiod-default-validator` from base) with `failurePolicy: Ignore`, and istiod patches it to
 * `Fail` once it serves (istio/istio@1.26.8
 * manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml:44-52,
 * istio/istio#52785): a GitOps engine that compares the field fights istiod forever.
 */
export const WEBHOOK_FAILURE_POLICY_IGNORE = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingWebhookConfiguration',
  jqPathExpressions: ['.webhooks[]?.failurePolicy'],
} as const;

/** The release names the charts are installed under, as Istio's Helm install guide names them. */
export const BASE_RELEASE = 'istio-base';
export const ISTIOD_RELEASE = 'istiod';

/** The ConfigMap a Flux `HelmRelease` of istiod reads our values from (`valuesFrom`), key `values.yaml`. */
export const FLUX_ISTIOD_VALUES_CONFIGMAP = 'istiod-observability-values';
