import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel, isDnsSubdomain } from '../../core/names';
import {
  BASE_RELEASE,
  exactChartVersion,
  ISTIO_HELM_REPOSITORY,
  ISTIOD_RELEASE,
  WEBHOOK_FAILURE_POLICY_IGNORE,
} from './istio-charts';

export interface ArgoCdIstioChartsProps {
  /** The Argo CD cluster the charts go to; the Applications' name suffix. */
  readonly cluster: string;
  /** The exact release (MAJOR.MINOR.PATCH): the charts' version. */
  readonly istioVersion: string;
  /** Where istiod runs (the mesh's root namespace). */
  readonly rootNamespace: string;
  /** The git repository holding the output. */
  readonly repoURL: string;
  /** Our istiod values file's path in that repository. */
  readonly valuesPath: string;
  /**
   * The team's own istiod values files in that repository, listed before ours: Helm lets later
   * files win key by key, so ours override only the keys we write.
   * @default - none
   */
  readonly teamValueFiles?: readonly string[];
  /** @default 'HEAD' */
  readonly revision?: string;
  /** @default 'argocd' */
  readonly namespace?: string;
  /** @default 'default' */
  readonly project?: string;
  /** @default false */
  readonly prune?: boolean;
}

/**
 * Istio's `base` (CRDs, cluster roles) and `istiod` charts of one exact release, as two Argo CD
 * Applications: `base` in sync wave -1, before `istiod` in wave 0. Waves order Applications only
 * when a parent Application syncs them (app of apps) and Argo CD has a health check for
 * Applications, which it dropped from its defaults in 1.8 (argo-cd docs/operator-manual/upgrading/
 * 1.7-1.8.md); applied directly, both sync at once and istiod's retries until the CRDs are there.
 * Both ignore the webhook `failurePolicy` istiod patches, and honour that on sync
 * (`RespectIgnoreDifferences=true`, argo-cd docs/user-guide/sync-options.md), so self-heal does not
 * reset it once the webhook exists. Neither has Argo CD's resources finalizer: deleting an
 * Application leaves the CRDs, and every Istio resource, in place. Checked against Argo CD's CRD as
 * packaged by @kubernetes-models/argo-cd.
 */
export class ArgoCdIstioCharts extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdIstioChartsProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'argocd';
    const version = exactChartVersion(['istioVersion'], props.istioVersion);
    throwIfProblems(this, [
      ...(isDnsSubdomain(props.cluster) ? [] : [problem(['cluster'], props.cluster, 'an Argo CD cluster name')]),
      ...(isDnsLabel(namespace) ? [] : [problem(['namespace'], namespace, 'an RFC 1123 label')]),
      ...(typeof version === 'string' ? [] : [version]),
    ]);
    const chartVersion = version as string; // a Problem was thrown above
    const revision = props.revision ?? 'HEAD';
    const common = {
      project: props.project ?? 'default',
      destination: { name: props.cluster, namespace: props.rootNamespace },
      ignoreDifferences: [WEBHOOK_FAILURE_POLICY_IGNORE],
    };
    const syncOptions = ['RespectIgnoreDifferences=true'];
    const automated = { prune: props.prune ?? false, selfHeal: true };
    new ApiObject(this, 'Base', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${BASE_RELEASE}-${props.cluster}`,
        namespace,
        annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
      },
      spec: {
        ...common,
        source: {
          repoURL: ISTIO_HELM_REPOSITORY,
          chart: 'base',
          targetRevision: chartVersion,
          helm: { releaseName: BASE_RELEASE },
        },
        syncPolicy: { automated, syncOptions: [...syncOptions, 'CreateNamespace=true'] },
      },
    });
    new ApiObject(this, 'Istiod', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${ISTIOD_RELEASE}-${props.cluster}`,
        namespace,
        annotations: { 'argocd.argoproj.io/sync-wave': '0' },
      },
      spec: {
        ...common,
        sources: [
          {
            repoURL: ISTIO_HELM_REPOSITORY,
            chart: 'istiod',
            targetRevision: chartVersion,
            helm: {
              releaseName: ISTIOD_RELEASE,
              valueFiles: [...(props.teamValueFiles ?? []), props.valuesPath].map((path) => `$values/${path}`),
            },
          },
          { repoURL: props.repoURL, targetRevision: revision, ref: 'values' },
        ],
        syncPolicy: {
          automated,
          syncOptions,
          // Without an app of apps both sync at once: istiod's first try may precede the CRDs.
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
