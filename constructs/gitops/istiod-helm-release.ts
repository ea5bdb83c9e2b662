import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel } from '../../core/names';

/** Istio's Helm chart repository (istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_HELM_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

/** The istiod chart versions of a target: the patch when one is given, else every patch of the minor. */
function chartVersion(istioVersion: string, wildcard: '*' | 'x'): string {
  const [major, minor, patch] = istioVersion.split('.');
  return patch !== undefined ? `${major}.${minor}.${patch}` : `${major}.${minor}.${wildcard}`;
}

export interface ArgoCdIstiodApplicationProps {
  /** The cluster (an Argo CD cluster name) and its target release. */
  readonly cluster: string;
  readonly istioVersion: string;
  /** Where istiod runs (the mesh's root namespace). */
  readonly rootNamespace: string;
  /** The git repository holding the output, and the values file's path in it. */
  readonly repoURL: string;
  readonly valuesPath: string;
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
 * An Argo CD `Application` installing the istiod chart of the target release on one cluster, with
 * the values file the synth wrote for it (`install/istiod-values.yaml`, read from git through a
 * second source), so the mesh config has one source. Checked against Argo CD's CRD as packaged by
 * @kubernetes-models/argo-cd.
 */
export class ArgoCdIstiodApplication extends ApiObject {
  constructor(scope: Construct, id: string, props: ArgoCdIstiodApplicationProps) {
    const namespace = props.namespace ?? 'argocd';
    throwIfProblems(scope, [
      ...(isDnsLabel(props.cluster) ? [] : [problem([id, 'cluster'], props.cluster, 'an RFC 1123 label')]),
      ...(isDnsLabel(namespace) ? [] : [problem([id, 'namespace'], namespace, 'an RFC 1123 label')]),
    ]);
    const revision = props.revision ?? 'HEAD';
    super(scope, id, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `istiod-${props.cluster}`, namespace },
      spec: {
        project: props.project ?? 'default',
        sources: [
          {
            repoURL: ISTIO_HELM_REPOSITORY,
            chart: 'istiod',
            targetRevision: chartVersion(props.istioVersion, '*'),
            helm: { releaseName: 'istiod', valueFiles: [`$values/${props.valuesPath}`] },
          },
          { repoURL: props.repoURL, targetRevision: revision, ref: 'values' },
        ],
        destination: { name: props.cluster, namespace: props.rootNamespace },
        syncPolicy: { automated: { prune: props.prune ?? false, selfHeal: true } },
      },
    });
  }
}

export interface FluxIstiodHelmReleaseProps {
  /** The cluster whose Flux applies it; the objects' name suffix, like its Kustomization's. */
  readonly cluster: string;
  readonly istioVersion: string;
  /** Where istiod runs (the mesh's root namespace). */
  readonly rootNamespace: string;
  /** The istiod chart's values, read when the release is rendered. */
  readonly values: () => Record<string, unknown>;
  /** @default 'flux-system' */
  readonly namespace?: string;
  /** @default '10m' */
  readonly interval?: string;
}

/**
 * The istiod chart for a cluster's Flux: a `HelmRepository` for Istio's charts, the values in a
 * ConfigMap beside the release (Flux reads `valuesFrom` in the release's namespace), and a
 * `HelmRelease` of the target release. Checked against Flux's CRDs as packaged by
 * @kubernetes-models/flux-cd.
 */
export class FluxIstiodHelmRelease extends Construct {
  constructor(scope: Construct, id: string, props: FluxIstiodHelmReleaseProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    const interval = props.interval ?? '10m';
    const repository = `istio-${props.cluster}`;
    const values = `istiod-values-${props.cluster}`;
    new ApiObject(this, 'Repository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: repository, namespace },
      spec: { url: ISTIO_HELM_REPOSITORY, interval: '1h' },
    });
    new ApiObject(this, 'Values', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: values, namespace },
      data: { 'values.yaml': Lazy.any({ produce: () => stringify(props.values(), { lineWidth: 0 }) }) },
    });
    new ApiObject(this, 'Release', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: `istiod-${props.cluster}`, namespace },
      spec: {
        interval,
        releaseName: 'istiod',
        targetNamespace: props.rootNamespace,
        chart: {
          spec: {
            chart: 'istiod',
            version: chartVersion(props.istioVersion, 'x'),
            sourceRef: { kind: 'HelmRepository', name: repository },
          },
        },
        valuesFrom: [{ kind: 'ConfigMap', name: values, valuesKey: 'values.yaml' }],
      },
    });
  }
}
