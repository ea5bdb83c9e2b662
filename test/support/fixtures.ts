import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Chart, Testing } from 'cdk8s';
import { ConfigFile } from '../../app/config/config-file';
import { readManifestFiles } from '../../app/lint/manifest-files';
import { validateManifests } from '../../app/lint/manifest-validator';
import { ObservabilityStack } from '../../app/stacks/observability-stack';
import { IstioInActionApp } from '../../constructs/demo/istioinaction-app';
import { IstioMesh, type IstioMeshProps } from '../../constructs/mesh/istio-mesh';
import { describeProblemWithHint } from '../../core/problems/problem';
import { testApp } from './app';

/** An app (a fresh one unless given) with a mesh chart (istio-system) and an `istioinaction` chart holding webapp and catalog. */
export function demoFixture(meshProps: IstioMeshProps = {}, app: App = testApp()) {
  const meshChart = new Chart(app, 'istio-install', { namespace: 'istio-system', disableResourceNameHashes: true });
  const mesh = new IstioMesh(meshChart, 'mesh', meshProps);
  const chart = new Chart(app, 'istioinaction', { namespace: 'istioinaction', disableResourceNameHashes: true });
  const demo = new IstioInActionApp(chart, 'app');
  return { app, mesh, meshChart, chart, webapp: demo.webapp.deployment, catalog: demo.catalog?.deployment };
}

interface DeploymentManifest {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: { readonly template: { readonly metadata: { readonly annotations?: Record<string, string> } } };
}

/** The pod-template annotations of the Deployment named `name`. */
export function podAnnotations(chart: Chart, name: string): Record<string, string> | undefined {
  const manifests: DeploymentManifest[] = Testing.synth(chart);
  const deployment = manifests.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
  return deployment?.spec.template.metadata.annotations;
}

/** The default stack, as main.ts builds it from observability.yaml at the repository root. */
export function defaultStack(app: App): ObservabilityStack {
  const file = ConfigFile.load(join(__dirname, '..', '..', 'observability.yaml'));
  return new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
}

/**
 * Lint mode on YAML text: written to `<scratch>/<name>` and read as the `validate` command reads
 * files, then checked against `istioVersion`; each finding as `line: severity: [path] message; hint (rule)`.
 */
export async function lintText(
  text: string,
  istioVersion: string,
  options: { readonly complete?: boolean; readonly name?: string; readonly rule?: string } = {},
): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  try {
    const file = join(dir, options.name ?? 'objects.yaml');
    writeFileSync(file, text);
    const { documents } = readManifestFiles([file]);
    const findings = await validateManifests(documents, { istioVersion, complete: options.complete ?? false });
    return findings
      .filter((f) => options.rule === undefined || f.rule === options.rule)
      .map((f) => {
        const line = f.location?.line ?? '';
        return `${line}: ${f.severity}: [${f.path}] ${describeProblemWithHint(f)} (${f.rule})`;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
