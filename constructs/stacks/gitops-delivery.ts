import { type App, Chart } from 'cdk8s';
import type { GitOpsConfig } from '../config/observability-config';
import { ArgoCdApplicationSet } from '../gitops/argocd-application-set';
import { FluxKustomization } from '../gitops/flux-kustomization';

export interface GitOpsDeliveryProps {
  readonly gitops: GitOpsConfig;
  /** The cluster folders' names. */
  readonly clusters: readonly string[];
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
    }
  }
}
