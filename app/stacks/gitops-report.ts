import { FluxIstiodValues } from '../../constructs/gitops/flux-istio-charts';
import { ISTIO_HELM_REPOSITORY } from '../../constructs/gitops/istio-charts';
import type { GitOpsConfig } from '../config/observability-config';
import { type DeliveredCluster, type GitOpsLayout, IN_CLUSTER } from './gitops-delivery';

/**
 * REPORT.md's delivery section: which folder each engine delivers to which cluster, and for a
 * control plane installed with Helm that this output does not manage, the lines the team's own
 * istiod Application or HelmRelease needs to read our values, last, so they override only our keys.
 */
export function gitOpsReport(
  gitops: GitOpsConfig,
  layout: GitOpsLayout,
  clusters: readonly DeliveredCluster[],
): string[] {
  const lines = ['', '## Delivery', ''];
  const revision = gitops.revision ?? 'HEAD';
  if (gitops.argocd !== false) {
    lines.push(
      `- Argo CD (\`gitops/argocd.k8s.yaml\`): the ApplicationSet's generator path \`${layout.generatorPath}\` matches ${
        layout.single
          ? `the folder \`${layout.clusterFolder(undefined)}\`, delivered to cluster \`${gitops.cluster ?? IN_CLUSTER}\``
          : clusters.map((c) => `\`${layout.clusterFolder(c.name)}\` (cluster \`${c.name}\`)`).join(', ')
      }, at revision \`${revision}\`.`,
    );
  }
  if (gitops.flux !== false) {
    lines.push(
      `- Flux (\`gitops/flux*.k8s.yaml\`, one Kustomization per cluster's Flux): ${clusters
        .map((c) => `\`${layout.fluxPath(c.name)}\`${c.name === undefined ? '' : ` (cluster \`${c.name}\`)`}`)
        .join(', ')}.`,
    );
  }
  const helm = clusters.filter((c) => c.helm !== undefined);
  if (helm.length === 0) return lines;
  if (gitops.manageIstiod) {
    lines.push(
      '',
      `Istio's \`base\` and \`istiod\` charts are delivered too (\`gitops.manageIstiod\`), at ${helm
        .map((c) => `${c.istioVersion}${c.name === undefined ? '' : ` on \`${c.name}\``}`)
        .join(
          ', ',
        )}: base first, the validating webhook's \`failurePolicy\` ignored (istiod sets it), and our values file last.`,
    );
    return lines;
  }
  lines.push(
    '',
    '### istiod stays yours',
    '',
    'This output does not install or upgrade istiod (`gitops.manageIstiod: false`). Its mesh settings are',
    'values of the istiod chart: add them **last** to the release you run, after your own values, so they',
    'override only the keys they set.',
  );
  for (const cluster of helm) {
    const values = layout.valuesPath(cluster.name);
    lines.push('', ...(cluster.name === undefined ? [] : [`Cluster \`${cluster.name}\`:`, '']));
    if (gitops.argocd !== false) {
      lines.push(
        'Argo CD, your istiod `Application` (a second source reads this repository):',
        '',
        '```yaml',
        'spec:',
        '  sources:',
        `    - repoURL: ${ISTIO_HELM_REPOSITORY}`,
        '      chart: istiod',
        `      targetRevision: ${/^\d+\.\d+\.\d+$/.test(cluster.istioVersion) ? cluster.istioVersion : `<your exact ${cluster.istioVersion}.x release>`}`,
        '      helm:',
        '        valueFiles:',
        '          - <your values files>',
        `          - $values/${values}`,
        `    - repoURL: ${gitops.repoURL}`,
        `      targetRevision: ${revision}`,
        '      ref: values',
        '```',
        '',
      );
    }
    if (gitops.flux !== false) {
      const ref = FluxIstiodValues.REFERENCE;
      lines.push(
        `Flux, your istiod \`HelmRelease\` (in namespace \`${gitops.flux?.namespace ?? 'flux-system'}\`, where \`gitops/flux${cluster.name === undefined ? '' : `-${cluster.name}`}.k8s.yaml\` puts the ConfigMap):`,
        '',
        '```yaml',
        'spec:',
        '  valuesFrom:',
        '    - <your values>',
        `    - kind: ${ref.kind}`,
        `      name: ${ref.name}`,
        `      valuesKey: ${ref.valuesKey}`,
        '```',
        '',
      );
    }
    lines.push(
      `Without GitOps: \`helm upgrade istiod istio/istiod -n ${cluster.helm?.rootNamespace} --reuse-values -f ${values}\`.`,
    );
  }
  return lines;
}
