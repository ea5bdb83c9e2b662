import { App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { addProblemCheck } from '../problems/construct-problems';
import { statement } from '../problems/problem';
import { brand, hasBrand } from './brand';

/**
 * Some of what the constructs emit is no chart object: installers' inputs (`install/`, for
 * istioctl or Helm, never applied) and pod template patches of workloads deployed elsewhere
 * (`patches/`, a kustomize Component). cdk8s's own `App` writes charts only, so under it those
 * would be lost (a Helm install's mesh config: its tracing providers would exist nowhere) or,
 * worse, applied (an IstioOperator). `ObservabilityApp` writes the whole output folder; these
 * checks make any other app fail at synth, naming what it would have lost.
 */
const OUTPUT_FOLDER_APP = 'ObservabilityApp';

/** Marks `app` as one whose synth writes the output folder (ObservabilityApp's constructor calls it). */
export function markOutputFolderApp(app: App): void {
  brand(app, OUTPUT_FOLDER_APP);
}

/** Whether `app` writes the output folder, install inputs and patches included. */
export function isOutputFolderApp(app: unknown): boolean {
  return hasBrand(app, OUTPUT_FOLDER_APP);
}

/**
 * Refuses `construct` at synth in an app that does not write the output folder, when
 * `written()` names a file it needs written there (undefined: nothing to write).
 */
export function requireOutputFolder(construct: IConstruct, written: () => string | undefined): void {
  addProblemCheck(construct, () => {
    const file = written();
    if (file === undefined || isOutputFolderApp(App.of(construct))) return [];
    return [
      statement(
        undefined,
        `needs ${file} written beside the charts, which cdk8s's App does not write: synthesized by it, the output would lack it`,
        'build the app with ObservabilityApp (cdk8s-istio-observability/app), whose synth() writes the whole output folder, also under `cdk8s synth`',
      ),
    ];
  });
}
