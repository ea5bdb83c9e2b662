import { isEnvoyFilter, isTelemetry, isWasmPlugin } from '../../model/telemetry-objects';
import { resolvePolicy } from '../lint/manifest-validator';
import { ConfigDraft } from './config-draft';
import { importAmbient } from './import-ambient';
import { importAttributeGenerators } from './import-attribute-gen';
import { ImportContext, type ImportOptions, mostCommon } from './import-context';
import { importMeshConfig, meshSection, metricsMechanism, tracingMechanism } from './import-mesh-config';
import { importPodAnnotations } from './import-pod-annotations';
import { importTelemetry } from './import-telemetry';
import { declareWorkloads, importWorkloadsSection } from './import-workloads';
import type { InputSet } from './input-set';

const BACKEND_KINDS = new Set(['PodMonitor', 'ServiceMonitor', 'PrometheusRule', 'Kiali', 'ScrapeConfig']);

/**
 * Builds the `observability.yaml` that synthesizes to the same effective settings per workload as
 * the input: workloads from the pod templates seen, each piece at the narrowest target that
 * gives it the same reach, with the mechanism the input uses (ProxyConfig or Telemetry tracing,
 * IstioOperator configOverride or Telemetry metrics). Where objects conflict, what Istio applies
 * is imported and the rest reported. What the declaration cannot say is listed, with why.
 */
export function importInputSet(set: InputSet, options: ImportOptions): ConfigDraft {
  const policy = resolvePolicy(options.istioVersion);
  const draft = new ConfigDraft((object, field) => {
    const document = set.documents.get(object.path);
    return document ? document.locate(field) : object.location;
  });
  const ctx = new ImportContext(set, policy, draft, options);
  draft.set('istioVersion', options.istioVersion, `Istio ${options.istioVersion}, ${options.release}`);
  declareWorkloads(ctx);
  const namespaces = ctx.workloads.map((w) => w.template.namespace ?? '');
  draft.set('namespace', mostCommon(namespaces) ?? ctx.rootNamespace, 'where workload-level objects go by default');
  const mesh = meshSection(ctx);
  ctx.tracing = tracingMechanism(ctx);
  const metrics = metricsMechanism(ctx);
  draft.set('mesh', {
    ...mesh,
    ...(ctx.tracing ? { tracing: ctx.tracing } : {}),
    ...(metrics ? { metricsCustomization: metrics } : {}),
  });
  importAmbient(ctx);
  importWorkloadsSection(ctx);
  importMeshConfig(ctx, metrics);
  importTelemetry(ctx, metrics);
  importPodAnnotations(ctx);
  importAttributeGenerators(ctx);
  listTheRest(ctx);
  draft.set(
    'backends',
    { prometheusOperator: false, grafana: false, kiali: false },
    'your monitors, rules, dashboards and Kiali stay as they are; turn ours on here (docs/backends.md)',
  );
  return draft;
}

/** Istio objects and backends the declaration does not replace: listed, kept by the team. */
export function listTheRest(ctx: ImportContext): void {
  const { draft } = ctx;
  for (const object of ctx.objects) {
    if (draft.replaced.has(object.path)) continue;
    const { manifest } = object;
    if (isEnvoyFilter(manifest)) {
      draft.skip(
        draft.source(object),
        'an EnvoyFilter the declaration cannot say (only stats and attributegen filters are imported); keep applying it',
        [],
      );
    } else if (isWasmPlugin(manifest)) {
      draft.skip(draft.source(object), 'a WasmPlugin other than attributegen; keep applying it', []);
    } else if (manifest.kind === 'ProxyConfig' && manifest.apiVersion.startsWith('networking.istio.io/')) {
      draft.skip(
        draft.source(object),
        "a ProxyConfig resource has no declaration (its fields are the pod annotation's); keep applying it",
        ['sampling', 'tracer'],
      );
    } else if (BACKEND_KINDS.has(manifest.kind)) {
      draft.skip(
        draft.source(object),
        'a backend of yours: it stays as it is, and ours are off in the declaration',
        [],
      );
    } else if (isTelemetry(manifest)) {
      // Reported where it was read.
    }
  }
}
