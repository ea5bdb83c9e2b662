import { Chart } from 'cdk8s';
import { ConfigFile } from '../constructs/config/config-file';
import { REPORT_FILE, type ReportedCluster, telemetryReport } from '../constructs/review/telemetry-report';
import { buildGitOpsDelivery } from '../constructs/stacks/gitops-delivery';
import { ObservabilityStack } from '../constructs/stacks/observability-stack';
import { type SynthReport, type SynthUnit, synthUnitsAtomically } from '../constructs/synth/atomic-synth';

/** Charts that are istioctl or Helm inputs, not cluster objects: GitOps engines must not apply them. */
const NOT_APPLIED = new Set(['istio-install.k8s.yaml']);

/**
 * Synthesizes the stack a config file declares into `outdir`, atomically, with `REPORT.md`.
 * Without `clusters:`, the charts go into `outdir` itself. With `clusters:`, each cluster goes into
 * `outdir/clusters/<name>/` (its own target release and overrides) with a `kustomization.yaml`
 * listing what is applied to the cluster, and `gitops:` adds `outdir/gitops/` (an Argo CD
 * ApplicationSet, Flux Kustomizations).
 *
 * @param repoPath the output folder's path in the git repository, for the GitOps objects
 *   (`gitops.path` wins); by default `outdir` as given
 */
export async function synthConfigFile(configPath: string, outdir: string, repoPath = outdir): Promise<SynthReport> {
  const file = ConfigFile.load(configPath);
  const clusters = file.clusters();
  // One stack per cluster, or the file's own declaration into the output folder itself.
  const stacks =
    clusters.length > 0
      ? clusters.map((c) => ({
          cluster: c.name,
          id: c.name,
          folder: `clusters/${c.name}`,
          config: c.config,
          locate: c.locate,
        }))
      : [
          {
            cluster: undefined,
            id: 'default',
            folder: '',
            config: file.config,
            locate: (path: readonly (string | number)[]) => file.locate(path),
          },
        ];
  const units: SynthUnit[] = stacks.map((stack) => ({
    folder: stack.folder,
    build: (app) => new ObservabilityStack(app, stack.id, { config: stack.config, locate: stack.locate }),
  }));
  const { gitops } = file.config;
  if (gitops) {
    units.push({
      folder: 'gitops',
      build: (app) =>
        buildGitOpsDelivery(app, {
          gitops,
          clusters: clusters.map((c) => c.name),
          outputPath: gitops.path ?? repoPath,
        }),
    });
  }
  return synthUnitsAtomically(outdir, units, {
    extraFiles: (built) => {
      const files: Record<string, string> = {};
      const reported: ReportedCluster[] = stacks.map((stack) => {
        const objects = built.find((u) => u.folder === stack.folder)?.objects ?? [];
        if (stack.cluster !== undefined) {
          // cdk8s writes each chart to `<chart id>.k8s.yaml`.
          const charts = [
            ...new Set(objects.flatMap((o) => (o.apiObject ? [`${Chart.of(o.apiObject).node.id}.k8s.yaml`] : []))),
          ].sort();
          files[`${stack.folder}/kustomization.yaml`] = kustomization(charts.filter((c) => !NOT_APPLIED.has(c)));
        }
        return {
          ...(stack.cluster !== undefined ? { name: stack.cluster } : {}),
          istioVersion: stack.config.istioVersion,
          objects,
        };
      });
      files[REPORT_FILE] = telemetryReport(reported);
      return files;
    },
  });
}

/** What Argo CD and Flux apply from a cluster folder: every chart but the istioctl input. */
function kustomization(resources: readonly string[]): string {
  return [
    '# Generated: what GitOps engines apply from this folder. istio-install.k8s.yaml is an istioctl',
    '# input (istioctl install -f), not a cluster object, so it is not listed.',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resources.map((r) => `  - ${r}`),
    '',
  ].join('\n');
}
