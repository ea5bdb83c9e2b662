import { dirname, isAbsolute } from 'node:path';
import { REPORT_FILE, type ReportedCluster, telemetryReport } from '../analysis/review/telemetry-report';
import { ConfigFile, ConfigFileError } from '../app/config/config-file';
import type { GitOpsConfig } from '../app/config/observability-config';
import {
  buildGitOpsDelivery,
  type DeliveredCluster,
  GitOpsLayout,
  gitOpsProblems,
} from '../app/stacks/gitops-delivery';
import { gitOpsReport } from '../app/stacks/gitops-report';
import { ObservabilityStack } from '../app/stacks/observability-stack';
import { type SynthReport, type SynthUnit, synthUnitsAtomically } from '../app/synth/atomic-synth';
import { ObservabilityApp } from '../app/synth/observability-app';
import { validateApp } from '../app/validate/app-validator';

/**
 * The stack's own construct id. Each cluster is an app of its own, and the charts beside the stack
 * are named after namespaces (RFC 1123 labels, lower case), so this id collides with none.
 */
const STACK_ID = 'ObservabilityStack';

/**
 * Synthesizes the stack a config file declares into `outdir`, atomically, with `REPORT.md`.
 * Without `clusters:`, the output goes into `outdir` itself. With `clusters:`, each cluster goes
 * into `outdir/clusters/<name>/` (its own target release and overrides). `gitops:` adds
 * `outdir/gitops/` (an Argo CD ApplicationSet, Flux Kustomizations) delivering each cluster's
 * folder, or the output folder itself without `clusters:`. Every folder has a
 * `kustomization.yaml` listing what is applied to the cluster (see outputFolderFiles).
 *
 * @param repoPath the output folder's path in the git repository, for the GitOps objects
 *   (`gitops.path` wins); by default `outdir` as given
 * @param istioVersion a release to synthesize the declaration for instead of its own (`plan`);
 *   refused with `clusters:`, where each cluster names its own
 */
export async function synthConfigFile(
  configPath: string,
  outdir: string,
  repoPath = outdir,
  istioVersion?: string,
): Promise<SynthReport> {
  let file: ConfigFile;
  try {
    file = ConfigFile.load(configPath);
  } catch (error) {
    throw error instanceof ConfigFileError ? await withRestChecked(error, configPath) : error;
  }
  const clusters = file.clusters();
  if (istioVersion !== undefined && clusters.length > 0) {
    throw new ConfigFileError([
      {
        location: file.locate(['clusters']),
        field: ['clusters'],
        what: 'names a release per cluster, so the file cannot be synthesized for one other release',
        expected: 'a file without clusters: (plan one cluster at a time: copy its declaration into a file of its own)',
      },
    ]);
  }
  // One stack per cluster, or the file's own declaration into the output folder itself.
  const stacks =
    clusters.length > 0
      ? clusters.map((c) => ({
          cluster: c.name,
          id: STACK_ID,
          folder: `clusters/${c.name}`,
          config: c.config,
          locate: c.locate,
        }))
      : [
          {
            cluster: undefined,
            id: STACK_ID,
            folder: '',
            config: istioVersion === undefined ? file.declaration : { ...file.declaration, istioVersion },
            locate: (path: readonly (string | number)[]) => file.locate(path),
          },
        ];
  // Each delivered folder, with what its synth wrote for istiod when it is installed with Helm.
  const delivered = new Map<string | undefined, DeliveredCluster>();
  const units: SynthUnit[] = stacks.map((stack) => ({
    folder: stack.folder,
    istioVersion: stack.config.istioVersion,
    build: (app) => {
      const built = new ObservabilityStack(app, stack.id, {
        config: stack.config,
        locate: stack.locate,
        baseDir: dirname(configPath),
      });
      const mesh = built.mesh;
      delivered.set(stack.cluster, {
        ...(stack.cluster !== undefined ? { name: stack.cluster } : {}),
        istioVersion: stack.config.istioVersion,
        ...(mesh?.install.install === 'helm'
          ? { helm: { rootNamespace: mesh.rootNamespace, values: () => mesh.install.helmValues() } }
          : {}),
      });
    },
  }));
  const { gitops } = file.config;
  if (gitops && gitops.path === undefined && isAbsolute(repoPath)) {
    // The GitOps objects name the cluster folders by their path in the repository.
    throw new ConfigFileError([
      {
        location: file.locate(['gitops']),
        field: ['gitops', 'path'],
        what: `is missing, and the output folder ${repoPath} is absolute, not a path in the repository`,
        expected: "the output folder's path in the git repository, e.g. dist",
      },
    ]);
  }
  let delivery: { readonly gitops: GitOpsConfig; readonly layout: GitOpsLayout } | undefined;
  if (gitops) {
    const layout = new GitOpsLayout(
      gitops.path ?? repoPath,
      clusters.map((c) => c.name),
    );
    const problems = gitOpsProblems(
      gitops,
      layout,
      stacks.map((stack) => ({
        ...(stack.cluster !== undefined ? { name: stack.cluster } : {}),
        istioVersion: stack.config.istioVersion,
        install: stack.config.mesh?.install ?? 'istioctl',
        locate: stack.locate,
      })),
      (path) => file.locate(path),
    );
    if (problems.length > 0) throw new ConfigFileError(problems);
    delivery = { gitops, layout };
    units.push({
      folder: 'gitops',
      build: (app) =>
        buildGitOpsDelivery(app, {
          gitops,
          layout,
          // The stacks are built first, in order: every folder is known by now.
          clusters: stacks.flatMap((stack) => delivered.get(stack.cluster) ?? []),
        }),
    });
  }
  return synthUnitsAtomically(outdir, units, {
    protectedPaths: [configPath],
    recordFolders: true,
    extraFiles: (built) => {
      const files: Record<string, string> = {};
      const reported: ReportedCluster[] = stacks.map((stack) => {
        const objects = built.find((u) => u.folder === stack.folder)?.objects ?? [];
        return {
          ...(stack.cluster !== undefined ? { name: stack.cluster } : {}),
          istioVersion: stack.config.istioVersion,
          objects,
        };
      });
      files[REPORT_FILE] = telemetryReport(reported);
      if (delivery) {
        const { layout } = delivery;
        const folders = stacks.flatMap((stack) => delivered.get(stack.cluster) ?? []);
        files[REPORT_FILE] += `${gitOpsReport(delivery.gitops, layout, folders).join('\n')}\n`;
      }
      return files;
    },
  });
}

/**
 * A file the schema refused in some pieces only: the rest is built and checked too (nothing is
 * written), so one run reports every problem instead of the schema's first.
 */
async function withRestChecked(error: ConfigFileError, configPath: string): Promise<ConfigFileError> {
  const rest = error.partial;
  if (!rest || rest.config.clusters !== undefined) return error;
  const app = new ObservabilityApp();
  new ObservabilityStack(app, STACK_ID, {
    config: rest.config,
    locate: (path) => rest.locate(path),
    baseDir: dirname(configPath),
  });
  const findings = (await validateApp(app)).filter((f) => f.severity === 'error');
  return findings.length > 0 ? error.withLaterFindings(findings) : error;
}
