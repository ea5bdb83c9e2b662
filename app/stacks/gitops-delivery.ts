import { posix } from 'node:path';
import { type App, Chart } from 'cdk8s';
import { ArgoCdApplicationSet } from '../../constructs/gitops/argocd-application-set';
import { ArgoCdIstioCharts } from '../../constructs/gitops/argocd-istio-charts';
import { FluxIstioCharts, FluxIstiodValues } from '../../constructs/gitops/flux-istio-charts';
import { FluxKustomization } from '../../constructs/gitops/flux-kustomization';
import { exactChartVersion } from '../../constructs/gitops/istio-charts';
import { ISTIOD_VALUES_FILE } from '../../constructs/mesh/istiod-helm-values';
import type { SourceLocation } from '../../core/problems/source-location';
import type { ConfigProblem } from '../config/config-file';
import type { GitOpsConfig } from '../config/observability-config';

/** The Argo CD cluster a single output folder goes to by default: the one Argo CD runs in. */
export const IN_CLUSTER = 'in-cluster';

/** One delivered folder: a cluster's, or the output folder itself for a file without `clusters:`. */
export interface DeliveredCluster {
  /** The cluster's name under `clusters:`; undefined for the output folder itself. */
  readonly name?: string;
  readonly istioVersion: string;
  /** With `mesh.install: helm`: where istiod runs, and the chart values the cluster's synth wrote. */
  readonly helm?: {
    readonly rootNamespace: string;
    readonly values: () => Record<string, unknown>;
  };
}

/**
 * Where everything is in the repository, computed once from `gitops.path` (the folder that holds
 * the output) so that the generator, the `$values` paths and the Flux paths agree with the folders
 * synth writes: each cluster's folder is `<path>/clusters/<name>`, or `<path>` itself without
 * `clusters:`. Paths are clean (`.` and `./` removed), since Argo CD matches its generator pattern
 * against folders listed as `clusters/prod` (Go's path.Match: `./clusters/*` matches nothing).
 */
export class GitOpsLayout {
  /** The output folder's path in the repository; `''` for the repository root. */
  readonly base: string;

  constructor(
    outputPath: string,
    /** The clusters' names; empty for one output folder without `clusters:`. */
    readonly clusters: readonly string[],
  ) {
    const normalized = posix.normalize(outputPath.replace(/\\/g, '/')).replace(/\/+$/, '');
    this.base = normalized === '.' ? '' : normalized;
  }

  get single(): boolean {
    return this.clusters.length === 0;
  }

  /** A path inside the output folder, as the repository names it (`.` for the root itself). */
  repoPath(...parts: string[]): string {
    return posix.join(this.base === '' ? '.' : this.base, ...parts);
  }

  /** A cluster's folder in the repository. */
  clusterFolder(cluster: string | undefined): string {
    return cluster === undefined ? this.repoPath() : this.repoPath('clusters', cluster);
  }

  /** The Argo CD git directory generator's path: each cluster folder, or the one folder itself. */
  get generatorPath(): string {
    return this.single ? this.repoPath() : this.repoPath('clusters', '*');
  }

  /** A Flux Kustomization's `path` for a cluster's folder: `./` and the folder. */
  fluxPath(cluster: string | undefined): string {
    const folder = this.clusterFolder(cluster);
    return folder === '.' ? './' : `./${folder}`;
  }

  /** Our istiod values file of a cluster, as a path in the repository (`$values/<this>`). */
  valuesPath(cluster: string | undefined): string {
    return posix.join(this.clusterFolder(cluster), ISTIOD_VALUES_FILE);
  }
}

export interface GitOpsDeliveryProps {
  readonly gitops: GitOpsConfig;
  readonly layout: GitOpsLayout;
  /** The delivered folders, in the layout's order. */
  readonly clusters: readonly DeliveredCluster[];
}

/**
 * The delivery objects, synthesized into `<out>/gitops/`: one Argo CD ApplicationSet (chart
 * `argocd`), and one Flux Kustomization per cluster (chart `flux-<cluster>`, or `flux`), each
 * unless turned off. For clusters installed with Helm, istiod stays with whoever runs it: Flux
 * gets our values as a ConfigMap their HelmRelease lists, Argo CD reads the values file in the
 * cluster folder. With `manageIstiod`, the base and istiod charts of the exact release come too.
 */
export function buildGitOpsDelivery(app: App, props: GitOpsDeliveryProps): void {
  const { gitops, layout } = props;
  if (gitops.argocd !== false) {
    const chart = new Chart(app, 'argocd', { disableResourceNameHashes: true });
    const common = {
      repoURL: gitops.repoURL,
      ...(gitops.revision !== undefined ? { revision: gitops.revision } : {}),
      ...(gitops.argocd?.namespace !== undefined ? { namespace: gitops.argocd.namespace } : {}),
      ...(gitops.argocd?.project !== undefined ? { project: gitops.argocd.project } : {}),
      ...(gitops.prune !== undefined ? { prune: gitops.prune } : {}),
    };
    new ArgoCdApplicationSet(chart, 'application-set', {
      ...common,
      directory: layout.generatorPath,
      ...(layout.single ? { destination: gitops.cluster ?? IN_CLUSTER } : {}),
    });
    for (const cluster of props.clusters) {
      if (!gitops.manageIstiod || cluster.helm === undefined) continue;
      const destination = cluster.name ?? gitops.cluster ?? IN_CLUSTER;
      new ArgoCdIstioCharts(chart, `istio-${destination}`, {
        ...common,
        cluster: destination,
        istioVersion: cluster.istioVersion,
        rootNamespace: cluster.helm.rootNamespace,
        valuesPath: layout.valuesPath(cluster.name),
        ...(gitops.istiodValueFiles ? { teamValueFiles: gitops.istiodValueFiles } : {}),
      });
    }
  }
  if (gitops.flux !== false) {
    for (const cluster of props.clusters) {
      const chart = new Chart(app, cluster.name === undefined ? 'flux' : `flux-${cluster.name}`, {
        disableResourceNameHashes: true,
      });
      const namespace = gitops.flux?.namespace !== undefined ? { namespace: gitops.flux.namespace } : {};
      const interval = gitops.flux?.interval !== undefined ? { interval: gitops.flux.interval } : {};
      new FluxKustomization(chart, 'kustomization', {
        ...(cluster.name !== undefined ? { cluster: cluster.name } : {}),
        path: layout.fluxPath(cluster.name),
        ...namespace,
        ...interval,
        ...(gitops.flux?.sourceRef !== undefined ? { sourceRef: gitops.flux.sourceRef } : {}),
        ...(gitops.prune !== undefined ? { prune: gitops.prune } : {}),
      });
      if (cluster.helm === undefined) continue;
      new FluxIstiodValues(chart, 'istiod-values', { values: cluster.helm.values, ...namespace });
      if (!gitops.manageIstiod) continue;
      new FluxIstioCharts(chart, 'istio', {
        istioVersion: cluster.istioVersion,
        rootNamespace: cluster.helm.rootNamespace,
        ...(cluster.name !== undefined ? { suffix: cluster.name } : {}),
        ...(gitops.istiodValuesFrom ? { teamValuesFrom: gitops.istiodValuesFrom } : {}),
        ...namespace,
        ...interval,
      });
    }
  }
}

/** A cluster's declaration as the GitOps checks read it. */
export interface DeclaredCluster {
  readonly name?: string;
  readonly istioVersion: string;
  /** `mesh.install`, its default included. */
  readonly install: string;
  /** Locates a key of the cluster's declaration. */
  readonly locate: (path: readonly (string | number)[]) => SourceLocation;
}

/**
 * What `gitops:` asks that the declaration cannot give, located in the file: a control plane to
 * manage that is not installed with Helm or names no exact release, team values without
 * `manageIstiod`, or the repository root as Argo CD's one folder.
 */
export function gitOpsProblems(
  gitops: GitOpsConfig,
  layout: GitOpsLayout,
  clusters: readonly DeclaredCluster[],
  locate: (path: readonly (string | number)[]) => SourceLocation,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of ['istiodValueFiles', 'istiodValuesFrom'] as const) {
    if (gitops[key] !== undefined && !gitops.manageIstiod) {
      problems.push({
        location: locate(['gitops', key]),
        field: ['gitops', key],
        what: 'lists values for an istiod chart this output does not deliver',
        expected: 'gitops.manageIstiod: true, or your own Application or HelmRelease listing them before ours',
      });
    }
  }
  if (gitops.manageIstiod) {
    for (const cluster of clusters) {
      const where = cluster.name !== undefined ? { cluster: cluster.name } : {};
      if (cluster.install !== 'helm') {
        problems.push({
          location: locate(['gitops', 'manageIstiod']),
          field: ['gitops', 'manageIstiod'],
          value: true,
          what: `delivers Istio's Helm charts, and the mesh is installed with ${cluster.install} (mesh.install)`,
          expected: 'mesh.install: helm, or no manageIstiod',
          ...where,
        });
        continue;
      }
      const version = exactChartVersion(['istioVersion'], cluster.istioVersion);
      if (typeof version !== 'string')
        problems.push({ ...version, location: cluster.locate(['istioVersion']), ...where });
    }
  }
  // The repo server drops `.` from the folders it lists (argo-cd@v3.5.1
  // reposerver/repository/repository.go, GetGitDirectories).
  if (layout.single && layout.base === '' && gitops.argocd !== false) {
    problems.push({
      location: locate(['gitops', 'path']),
      field: ['gitops', 'path'],
      value: '.',
      what: "is the repository root, which Argo CD's git directory generator does not list as a folder",
      expected: 'a folder for the output, e.g. clusters/prod; or argocd: false',
    });
  }
  return problems;
}
