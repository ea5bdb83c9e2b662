// Lint on a repository as teams keep them: kustomizations, Components, every kind of kustomize
// patch, Helm values, Argo CD and Flux objects. Nothing there is an error for being what it is;
// what Istio reads in them is checked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { validateLines } from './support/config-cases';

const scratch = mkdtempSync(join(tmpdir(), 'lint-kustomize-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const validate = validateLines;

describe('a kustomize repository', () => {
  it('is read whole: patches of every kind checked for what Istio reads, istiod values inside Argo CD and Flux objects too', async () => {
    const { status, lines } = await validate(['--istio-version', '1.26', 'test/lint/kustomize-repo']);
    expect(status).toBe(1);
    expect(lines).toEqual([
      'test/lint/kustomize-repo/apps/ratings/overlays/prod/kustomization.yaml:23: error: [Deployment/-/ratings#3] spec.template.metadata.annotations["proxy.istio.io/config"].tracing.sampling: must be <= 100 (got 250) (proxy-config-annotation)',
      'test/lint/kustomize-repo/apps/ratings/overlays/prod/legacy.json6902.yaml:3: error: [Deployment/-/ratings#4] spec.template.metadata.annotations["proxy.istio.io/config"].tracing.sampling: must be <= 100 (got 400) (proxy-config-annotation)',
      'test/lint/kustomize-repo/argocd/app.yaml:22: error: [IstiodHelmValues/-/-] meshConfig.defaultConfig.tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)',
      'test/lint/kustomize-repo/argocd/app.yaml:34: error: [IstiodHelmValues/-/-#2] meshConfig.defaultConfig.tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)',
      'test/lint/kustomize-repo/helm/istiod-values.yaml:3: error: [IstiodHelmValues/-/-#3] meshConfig.defaultConfig.tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)',
      'test/lint/kustomize-repo/apps/ratings/overlays/prod/kustomization.yaml:23: warning: [Deployment/-/ratings#3] spec.template.metadata.annotations["proxy.istio.io/config"]: replaces the whole annotation of Deployment "ratings" (test/lint/kustomize-repo/apps/ratings/base/deployment.yaml:1), whose keys holdApplicationUntilProxyStarts it does not repeat: they are lost; hint: repeat them in the patch, or declare the workload\'s manifest (workloads.<name>.manifest) so synth merges them into its patch (patch-replaces-annotation)',
      'test/lint/kustomize-repo/apps/ratings/overlays/prod/legacy.json6902.yaml:3: warning: [Deployment/-/ratings#4] spec.template.metadata.annotations["proxy.istio.io/config"]: replaces the whole annotation of Deployment "ratings" (test/lint/kustomize-repo/apps/ratings/base/deployment.yaml:1), whose keys holdApplicationUntilProxyStarts it does not repeat: they are lost; hint: repeat them in the patch, or declare the workload\'s manifest (workloads.<name>.manifest) so synth merges them into its patch (patch-replaces-annotation)',
      'test/lint/kustomize-repo/argocd/app.yaml:21: warning: [IstiodHelmValues/-/-] meshConfig.defaultConfig.{tracing}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart) (restart-required)',
      'test/lint/kustomize-repo/argocd/app.yaml:33: warning: [IstiodHelmValues/-/-#2] meshConfig.defaultConfig.{tracing}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart) (restart-required)',
      'test/lint/kustomize-repo/helm/istiod-values.yaml:2: warning: [IstiodHelmValues/-/-#3] meshConfig.defaultConfig.{tracing}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart) (restart-required)',
      'not schema-checked (no schema known): helm.toolkit.fluxcd.io/v2 HelmRelease',
      'not checked as objects (kustomize files, JSON 6902 patches, Helm values; what Istio reads in them is): test/lint/kustomize-repo/apps/ratings/base/kustomization.yaml, test/lint/kustomize-repo/apps/ratings/overlays/prod/image.json6902.yaml, test/lint/kustomize-repo/apps/ratings/overlays/prod/kustomization.yaml, test/lint/kustomize-repo/components/mesh/kustomization.yaml, test/lint/kustomize-repo/helm/kps-values.yaml',
      '11 file(s), 13 object(s) checked against Istio 1.26: 5 error(s), 5 warning(s)',
    ]);
  });

  it('built with --kustomize: the overlay as applied, its patches merged', async () => {
    const { status, lines } = await validate([
      '--kustomize',
      '--istio-version',
      '1.26',
      'test/lint/kustomize-repo/apps/ratings/overlays/prod',
    ]);
    expect(status).toBe(1);
    expect(lines).toEqual([
      'kustomize build test/lint/kustomize-repo/apps/ratings/overlays/prod:16: error: [Deployment/bookinfo/ratings] spec.template.metadata.annotations["proxy.istio.io/config"].tracing.sampling: must be <= 100 (got 400) (proxy-config-annotation)',
      '1 file(s), 1 object(s) checked against Istio 1.26: 1 error(s), 0 warning(s)',
    ]);
  });

  it('says why a folder does not build, in one line', async () => {
    const { status, lines } = await validate(['--kustomize', join(scratch, 'missing')]);
    expect(status).toBe(1);
    expect(lines).toEqual([
      `${join(scratch, 'missing')}: kustomize build failed: must build at directory: not a valid directory: evalsymlink failure on '${join(scratch, 'missing')}' : lstat ${join(scratch, 'missing')}: no such file or directory`,
    ]);
  });
});

describe("a team's kustomization with our Component", () => {
  it('passes when our patch carries their keys (examples/teams/ratings with examples/platform)', async () => {
    const { status, lines } = await validate(['examples/teams/ratings', 'examples/platform/patches']);
    expect(status).toBe(0);
    expect(lines.at(-1)).toBe(
      '5 file(s), 3 object(s) checked against Istio 1.26.8 (the release of the output folders given); Istio 1.26.8 (recorded by synth for examples/platform): 0 error(s), 0 warning(s)',
    );
    const built = await validate(['--kustomize', 'examples/teams/ratings']);
    expect(built.lines.at(-1)).toMatch(/: 0 error\(s\), 0 warning\(s\)$/);
  });

  it('warns when our patch replaces keys of theirs it never read', async () => {
    const dir = join(scratch, 'unread');
    mkdirSync(join(dir, 'team'), { recursive: true });
    writeFileSync(
      join(dir, 'observability.yaml'),
      [
        'istioVersion: "1.28"',
        'namespace: payments',
        'workloads: { payments: { selector: { app: payments } } }',
        'statsInclusion: { p: { target: { workload: payments }, inclusionSuffixes: [upstream_rq_timeout] } }',
        '',
      ].join('\n'),
    );
    await synthConfigFile(join(dir, 'observability.yaml'), join(dir, 'out'));
    writeFileSync(
      join(dir, 'team', 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: payments }',
        'spec:',
        '  selector: { matchLabels: { app: payments } }',
        '  template:',
        '    metadata:',
        '      labels: { app: payments }',
        '      annotations: { proxy.istio.io/config: "holdApplicationUntilProxyStarts: true" }',
        '    spec: { containers: [{ name: payments, image: payments:1 }] }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'team', 'kustomization.yaml'),
      'namespace: payments\nresources: [deployment.yaml]\ncomponents: [../out/patches]\n',
    );
    const { lines } = await validate(['--istio-version', '1.28', join(dir, 'team'), join(dir, 'out', 'patches')]);
    expect(lines[0]).toBe(
      `${join(dir, 'out/patches/payments-deployment-payments.yaml')}:14: warning: [Deployment/payments/payments] spec.template.metadata.annotations["proxy.istio.io/config"]: replaces the whole annotation of Deployment "payments" (${join(dir, 'team/deployment.yaml')}:1), whose keys holdApplicationUntilProxyStarts it does not repeat: they are lost; hint: repeat them in the patch, or declare the workload's manifest (workloads.<name>.manifest) so synth merges them into its patch (patch-replaces-annotation)`,
    );
    // As built, the team's key is gone: what the warning said.
    const built = execFileSync('kubectl', ['kustomize', join(dir, 'team')], { encoding: 'utf8' });
    expect(built).not.toContain('holdApplicationUntilProxyStarts');
  });
});
