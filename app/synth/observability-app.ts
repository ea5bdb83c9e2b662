import { App, type AppProps } from 'cdk8s';
import { REPORT_FILE, telemetryReport } from '../../analysis/review/telemetry-report';
import { builtMeshes } from '../../core/contracts/istio-mesh';
import { markOutputFolderApp } from '../../core/contracts/output-folder';
import type { RenderedObject } from '../../model/objects';
import { outputFolderFiles } from './output-folder';
import { lockOutputFolderForSynth, writeStaged } from './output-writer';
import { type RenderedApp, renderApp } from './render-app';

export interface ObservabilityAppProps extends AppProps {
  /**
   * Write `REPORT.md` (what each workload gets, from where, when a change takes effect) beside
   * the manifests.
   * @default true
   */
  readonly report?: boolean;
}

/**
 * A cdk8s `App` whose `synth()` writes the whole output folder, as the `synth` command does:
 * a file per chart, the installers' inputs under `install/` (never applied), the pod template
 * patches of workloads deployed elsewhere under `patches/`, `kustomization.yaml`, `REPORT.md`,
 * replaced all or nothing. `cdk8s synth` runs it unchanged (its validation plugin,
 * `IstioObservabilityValidation`, then checks every rule on the folder); `synthAtomically` builds
 * one and validates before it writes. cdk8s's own `App` refuses, at synth, a construct whose
 * output it would lose (see core/contracts/output-folder.ts).
 *
 * ```ts
 * const app = new ObservabilityApp();
 * new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', { install: 'helm' });
 * app.synth();
 * ```
 */
export class ObservabilityApp extends App {
  private readonly report: boolean;

  constructor(props: ObservabilityAppProps = {}) {
    const { report = true, ...rest } = props;
    super(rest);
    this.report = report;
    markOutputFolderApp(this);
  }

  /**
   * Renders every chart once (cdk8s's validations included, which throw listing each problem)
   * and replaces `outdir` with the output folder.
   */
  override synth(): void {
    const rendered = renderApp(this);
    const files = outputFolderFiles(this, rendered);
    if (this.report) files[REPORT_FILE] = reportOf(this, rendered.objects);
    if (this.recordsConstructMetadata) files[CONSTRUCT_METADATA_FILE] = constructMetadata(rendered);
    const { target, unlock } = lockOutputFolderForSynth(this.outdir);
    try {
      writeStaged(this.outdir, target, files);
    } finally {
      unlock();
    }
  }

  /** Whether cdk8s asked for construct metadata (`recordConstructMetadata`, or cdk8s-cli's environment). */
  private get recordsConstructMetadata(): boolean {
    return (this as unknown as { readonly recordConstructMetadata?: boolean }).recordConstructMetadata === true;
  }
}

/** cdk8s-cli reads it to name the construct path of each object its validation plugins report. */
const CONSTRUCT_METADATA_FILE = 'construct-metadata.json';

/** `construct-metadata.json` as cdk8s writes it (cdk8s@2.70.106:lib/app.js writeConstructMetadata). */
function constructMetadata(rendered: RenderedApp): string {
  const resources: Record<string, { path: string }> = {};
  for (const { apiObject } of rendered.objects)
    if (apiObject) resources[apiObject.name] = { path: apiObject.node.path };
  return JSON.stringify({ version: '1.0.0', resources });
}

/** `REPORT.md` of one app, from its rendered objects, for the Istio releases of its meshes. */
export function reportOf(app: App, objects: readonly RenderedObject[]): string {
  const versions = builtMeshes(app.node.findAll()).map((m) => m.istioVersion);
  const istioVersion = [...new Set(versions)].join(', ') || 'not declared';
  return telemetryReport([{ istioVersion, objects }]);
}
