import { type App, Names, Yaml } from 'cdk8s';
import { LabelPatch } from '../../constructs/ambient/label-patch';
import { HelmValuesFile } from '../../constructs/intent/helm-values-file';
import { SIDECAR_INJECT_LABEL, WorkloadRef } from '../../constructs/proxy-config/workload-ref';
import { installInputFileOf } from '../../core/contracts/construct-sources';
import { PROXY_CONFIG_ANNOTATION } from '../../core/istio/istio-names';
import { parseProxyConfig } from '../../model/pod-templates';
import type { RenderedApp } from './render-app';

/** The kustomization of every output folder: what is applied to the cluster from it. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/** The kustomize Component with the pod template patches of workloads deployed elsewhere. */
export const PATCHES_FOLDER = 'patches';

/**
 * The files of one output folder, by relative path:
 *
 * - `<chart>.k8s.yaml` per chart with objects applied to the cluster (a chart with none writes no
 *   file: `kubectl apply` refuses an empty one);
 * - installers' inputs under `install/` (the IstioOperator for `istioctl install -f`, Helm charts'
 *   values for `helm install -f`), never applied;
 * - `patches/`, a kustomize Component that sets the pod template annotations of workloads this
 *   app does not build ({@link WorkloadRef}), for the kustomization that deploys them;
 * - `kustomization.yaml`, listing exactly the applied files, so `kubectl apply -k` and GitOps
 *   engines apply the folder as it is.
 *
 * `rendered` is the app rendered once ({@link renderApp}): what the rules checked is what is written.
 */
export function outputFolderFiles(app: App, rendered: RenderedApp): Record<string, string> {
  const files: Record<string, string> = {};
  const installInputs = new Map<object, string>();
  for (const { apiObject, manifest } of rendered.objects) {
    const file = apiObject ? installInputFileOf(apiObject) : undefined;
    if (file) installInputs.set(manifest, file);
  }
  const applied: string[] = [];
  for (const { chart, manifests } of rendered.charts) {
    const objects = manifests.filter((m) => !installInputs.has(m));
    if (objects.length === 0) continue;
    const file = `${Names.toDnsLabel(chart)}.k8s.yaml`;
    files[file] = Yaml.stringify(...objects);
    applied.push(file);
  }
  const inputs = new Map<string, unknown[]>();
  for (const [manifest, file] of installInputs) inputs.set(file, [...(inputs.get(file) ?? []), manifest]);
  for (const construct of app.node.findAll()) {
    if (HelmValuesFile.isHelmValuesFile(construct) && !construct.isEmpty) {
      inputs.set(construct.file, [...(inputs.get(construct.file) ?? []), construct.values()]);
    }
  }
  for (const [file, docs] of inputs) files[file] = Yaml.stringify(...docs);
  Object.assign(files, patchComponent(app));
  files[KUSTOMIZATION_FILE] = kustomization(applied.sort());
  return files;
}

/** `patches/`: one strategic merge patch per workload reference with pod-level settings, and the Component. */
function patchComponent(app: App): Record<string, string> {
  const files: Record<string, string> = {};
  const entries: string[] = [];
  const refs = app.node
    .findAll()
    .filter((c): c is WorkloadRef => WorkloadRef.isWorkloadRef(c))
    .sort((a, b) => patchFileName(a).localeCompare(patchFileName(b)));
  for (const ref of refs) {
    const patch = ref.renderPatch();
    if (!patch) continue;
    const file = patchFileName(ref);
    files[`${PATCHES_FOLDER}/${file}`] = `${patchComment(ref).join('\n')}\n${Yaml.stringify(patch)}`;
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
    entries.push(
      `  - path: ${file}`,
      '    target:',
      ...(group ? [`      group: ${group}`] : []),
      `      version: ${version}`,
      `      kind: ${ref.kind}`,
      `      name: ${ref.name}`,
      // A regex: components run before their kustomization's `namespace:` sets the namespace, and
      // kustomize reads a namespace-less object as `default`; an exact namespace would skip the patch silently.
      `      namespace: ${ref.namespace === 'default' ? 'default' : `"${ref.namespace}|default"`}`,
    );
  }
  const labelPatches = app.node
    .findAll()
    .filter((c): c is LabelPatch => LabelPatch.isLabelPatch(c))
    .sort((a, b) => labelPatchFileName(a).localeCompare(labelPatchFileName(b)));
  for (const patch of labelPatches) {
    const file = labelPatchFileName(patch);
    files[`${PATCHES_FOLDER}/${file}`] = [
      `# Generated for ${patch.describe()}; do not edit.`,
      `# ${patch.describe()} ${patch.reason}. A strategic merge patch: its other labels are kept.`,
      Yaml.stringify(patch.renderPatch()),
    ].join('\n');
    entries.push(
      `  - path: ${file}`,
      '    target:',
      '      version: v1',
      `      kind: ${patch.kind}`,
      `      name: ${patch.name}`,
      ...(patch.namespace === undefined
        ? []
        : [`      namespace: ${patch.namespace === 'default' ? 'default' : `"${patch.namespace}|default"`}`]),
    );
  }
  if (entries.length === 0) return {};
  files[`${PATCHES_FOLDER}/${KUSTOMIZATION_FILE}`] = [
    '# Generated: the pod template annotations of workloads this output does not deploy (proxy.istio.io/config,',
    '# sidecar.istio.io/bootstrapOverride), and the ambient labels of Namespaces and Services it does not own.',
    '# Add this folder to `components:` of the kustomization that deploys them; each patch names its object,',
    '# and its comment says what it sets.',
    "# Targets also match the namespace default: a component runs before its kustomization's namespace:,",
    '# when objects without one count as in default (kubectl kustomize v5.5).',
    'apiVersion: kustomize.config.k8s.io/v1alpha1',
    'kind: Component',
    'patches:',
    ...entries,
    '',
  ].join('\n');
  return files;
}

/**
 * What a patch replaces, in words at its top: a strategic merge patch sets each annotation's whole
 * value, so one the workload also sets is replaced, unless its own manifest was read and merged.
 */
function patchComment(ref: WorkloadRef): string[] {
  const set = Object.keys(ref.podAnnotations);
  const lines = [`# Generated for ${ref.kind} ${ref.namespace}/${ref.name}; do not edit.`];
  if (ref.injectOff)
    lines.push(
      `# Turns sidecar injection off (label ${SIDECAR_INJECT_LABEL}: "false"): the workload runs outside the mesh.`,
    );
  if (set.length === 0) return lines;
  lines.push(`# A strategic merge patch sets an annotation's whole value: ${set.join(', ')}.`);
  const own = ref.ownAnnotations;
  if (!own) {
    lines.push(
      '# Whatever value the workload sets for these itself is replaced, not merged. Declare its manifest',
      `# (workloads.${ref.node.id}.manifest) to keep its keys: they are then merged here, and checked.`,
    );
    return lines;
  }
  const proxyConfig = own.annotations[PROXY_CONFIG_ANNOTATION];
  const parsed = proxyConfig === undefined ? undefined : parseProxyConfig(proxyConfig);
  const kept = parsed === undefined || parsed instanceof Error ? [] : Object.keys(parsed);
  lines.push(
    `# They include what ${own.source} sets${kept.length > 0 ? ` (${PROXY_CONFIG_ANNOTATION}: ${kept.join(', ')})` : ''};`,
    '# synthesize again when it changes.',
  );
  return lines;
}

function labelPatchFileName(patch: LabelPatch): string {
  return patch.namespace === undefined
    ? `namespace-${patch.name}.yaml`
    : `${patch.namespace}-${patch.kind.toLowerCase()}-${patch.name}.yaml`;
}

function patchFileName(ref: WorkloadRef): string {
  return `${ref.namespace}-${ref.kind.toLowerCase()}-${ref.name}.yaml`;
}

function kustomization(resources: readonly string[]): string {
  return [
    '# Generated: what is applied to the cluster from this folder (kubectl apply -k, Argo CD, Flux).',
    '# Installer inputs (install/) and the patch Component for workloads deployed elsewhere (patches/)',
    '# are not cluster objects of this folder and are not listed.',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    ...(resources.length > 0 ? ['resources:', ...resources.map((r) => `  - ${r}`)] : ['resources: []']),
    '',
  ].join('\n');
}
