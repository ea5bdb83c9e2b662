// cdk8s-istio-observability/app: writing an app's output folder (the mesh's objects, install
// inputs, kustomizations, REPORT.md), all or nothing, after validation.

export { type Finding, formatFinding, type Severity, ValidationFailedError } from '../core/problems/finding';
export { type SynthOptions, type SynthReport, synthAtomically } from './synth/atomic-synth';
export { ObservabilityApp, type ObservabilityAppProps } from './synth/observability-app';
export { KUSTOMIZATION_FILE, PATCHES_FOLDER } from './synth/output-folder';
