import { type App, Chart } from 'cdk8s';
import { ArgoCdApplicationSet } from '../../constructs/gitops/argocd-application-set';
import { FluxKustomization } from '../../constructs/gitops/flux-kustomization';
import { ArgoCdIstiodApplication, FluxIstiodHelmRelease } from '../../constructs/gitops/istiod-helm-release';
import { ISTIOD_VALUES_FILE } from '../../constructs/mesh/istiod-helm-values';
import type { GitOpsConfig } from '../config/observability-config';

/** A cluster whose control plane is installed with the istiod Helm chart. */
export interface HelmCluster {
  readonly name: string;
  readonly istioVersion: string;
  readonly rootNamespace: string;
  /** The chart's values the cluster's synth wrote (`install/istiod-values.yaml`). */
  readonly values: () => Record<string, unknown>;
}

export interface GitOpsDeliveryProps {
  readonly gitops: GitOpsConfig;
  /** The cluster folders' names. */
  readonly clusters: readonly string[];
  /**
   * The clusters installed with Helm (`mesh.install: helm`): each also gets the istiod chart, with
   * the values file of its folder (an Argo CD Application, a Flux HelmRelease).
   * @default - none
   */
  readonly helmClusters?: readonly HelmCluster[];
  /** The output folder's path in the repository (`gitops.path`, else the output folder as given). */
  readonly outputPath: string;
}

/**
 * The delivery objects for the cluster folders: one Argo CD ApplicationSet (chart `argocd`,
 * `argocd.k8s.yaml`), and one Flux Kustomization per cluster (chart `flux-<cluster>`), each
 * unless turned off. Synthesized into `<out>/gitops/`.
 */
export function buildGitOpsDelivery(app: App, props: GitOpsDeliveryProps): void {
  const { gitops } = props;
  const base = props.outputPath.replace(/^\.\//, '').replace(/\/$/, '');
  if (gitops.argocd !== false) {
    const chart = new Chart(app, 'argocd', { disableResourceNameHashes: true });
    new ArgoCdApplicationSet(chart, 'application-set', {
      repoURL: gitops.repoURL,
      clustersPath: `${base}/clusters`,
      ...(gitops.revision !== undefined ? { revision: gitops.revision } : {}),
      ...(gitops.argocd?.namespace !== undefined ? { namespace: gitops.argocd.namespace } : {}),
      ...(gitops.argocd?.project !== undefined ? { project: gitops.argocd.project } : {}),
      ...(gitops.prune !== undefined ? { prune: gitops.prune } : {}),
    });
    for (const cluster of props.helmClusters ?? []) {
      new ArgoCdIstiodApplication(chart, `istiod-${cluster.name}`, {
        cluster: cluster.name,
        istioVersion: cluster.istioVersion,
        rootNamespace: cluster.rootNamespace,
        repoURL: gitops.repoURL,
        valuesPath: `${base}/clusters/${cluster.name}/${ISTIOD_VALUES_FILE}`,
        ...(gitops.revision !== undefined ? { revision: gitops.revision } : {}),
        ...(gitops.argocd?.namespace !== undefined ? { namespace: gitops.argocd.namespace } : {}),
        ...(gitops.argocd?.project !== undefined ? { project: gitops.argocd.project } : {}),
        ...(gitops.prune !== undefined ? { prune: gitops.prune } : {}),
      });
    }
  }
  if (gitops.flux !== false) {
    for (const cluster of props.clusters) {
      const chart = new Chart(app, `flux-${cluster}`, { disableResourceNameHashes: true });
      new FluxKustomization(chart, 'kustomization', {
        cluster,
        path: `${base}/clusters/${cluster}`,
        ...(gitops.flux?.namespace !== undefined ? { namespace: gitops.flux.namespace } : {}),
        ...(gitops.flux?.sourceRef !== undefined ? { sourceRef: gitops.flux.sourceRef } : {}),
        ...(gitops.flux?.interval !== undefined ? { interval: gitops.flux.interval } : {}),
        ...(gitops.prune !== undefined ? { prune: gitops.prune } : {}),
      });
      const helm = props.helmClusters?.find((c) => c.name === cluster);
      if (helm) {
        new FluxIstiodHelmRelease(chart, 'istiod', {
          cluster,
          istioVersion: helm.istioVersion,
          rootNamespace: helm.rootNamespace,
          values: helm.values,
          ...(gitops.flux?.namespace !== undefined ? { namespace: gitops.flux.namespace } : {}),
          ...(gitops.flux?.interval !== undefined ? { interval: gitops.flux.interval } : {}),
        });
      }
    }
  }
}
