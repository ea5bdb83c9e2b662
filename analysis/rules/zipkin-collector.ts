import { isSpanCollectorSource } from '../../core/contracts/construct-sources';
import { formatValue } from '../../core/errors';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { statement } from '../../core/problems/problem';
import { bootstrapConfigMaps, parseBootstrapText } from '../../model/bootstrap-overrides';
import { MESH_CONFIG_KINDS, meshConfigs } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { type PodTemplate, podTemplates, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { serviceAddressKey } from './tracing-backend-address';

/** Istio's bootstrap cluster for the ProxyConfig zipkin tracer (tools/packaging/common/envoy_bootstrap.json). */
const ISTIO_ZIPKIN_CLUSTER = 'zipkin';
const ZIPKIN_BOOTSTRAP_SOURCE = 'istio/istio@1.30.3:tools/packaging/common/envoy_bootstrap.json "{{ if .zipkin }}"';
/** Encodings of Zipkin API v2 (envoy.config.trace.v3.ZipkinConfig.CollectorEndpointVersion). */
const V2_ENCODINGS = ['HTTP_JSON', 'HTTP_PROTO'];

/** A member by its proto-JSON name or its proto field name (`collectorCluster`, `collector_cluster`). */
function member(mapping: JsonMapping, camel: string): unknown {
  return mapping[camel] ?? mapping[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/** The Zipkin tracer and static clusters of a bootstrap override, as far as they are written. */
interface BootstrapZipkin {
  /** JSON path of the ZipkinConfig, e.g. `tracing.http.typedConfig`. */
  readonly field: FieldPath;
  readonly cluster: unknown;
  readonly endpoint: unknown;
  readonly version: unknown;
  /** Static clusters of the override by name, with the `host:port` of their first endpoint. */
  readonly clusters: ReadonlyMap<string, string | undefined>;
}

function bootstrapZipkin(text: string): BootstrapZipkin | undefined {
  let bootstrap: unknown;
  try {
    bootstrap = parseBootstrapText(text);
  } catch {
    return undefined; // envoy-bootstrap reports it
  }
  const http = mappingAt(member(mappingAt(bootstrap), 'tracing'), 'http');
  const typedKey = 'typedConfig' in http ? 'typedConfig' : 'typed_config';
  const zipkin = mappingAt(http, typedKey);
  if (!String(zipkin['@type'] ?? '').endsWith('envoy.config.trace.v3.ZipkinConfig')) return undefined;
  const clusters = new Map<string, string | undefined>();
  for (const cluster of listOf(mappingAt(member(mappingAt(bootstrap), 'staticResources')).clusters)) {
    if (!isMapping(cluster) || typeof cluster.name !== 'string') continue;
    const endpoint = listOf(mappingAt(member(cluster, 'loadAssignment')).endpoints)[0];
    const lb = listOf(member(mappingAt(endpoint), 'lbEndpoints'))[0];
    const socket = member(mappingAt(mappingAt(lb, 'endpoint'), 'address'), 'socketAddress');
    const host = mappingAt(socket).address;
    const port = member(mappingAt(socket), 'portValue');
    clusters.set(cluster.name, typeof host === 'string' && port !== undefined ? `${host}:${port}` : undefined);
  }
  return {
    field: ['tracing', 'http', typedKey],
    cluster: member(zipkin, 'collectorCluster'),
    endpoint: member(zipkin, 'collectorEndpoint'),
    version: member(zipkin, 'collectorEndpointVersion'),
    clusters,
  };
}

/** A bootstrap override ConfigMap and its Zipkin tracer, if it has one. */
interface OverrideZipkin {
  readonly configMap: RenderedObject;
  readonly zipkin: BootstrapZipkin | undefined;
}

/** Every bootstrap override written as text, its Zipkin tracer parsed once. */
function overrideZipkins(objects: readonly RenderedObject[]): OverrideZipkin[] {
  return bootstrapConfigMaps(objects).flatMap(({ object, value }) =>
    typeof value === 'string' ? [{ configMap: object, zipkin: bootstrapZipkin(value) }] : [],
  );
}

/** Every pod template naming a bootstrap override, with the override's Zipkin tracer. */
interface OverrideUse {
  readonly template: PodTemplate;
  readonly configMap: RenderedObject;
  readonly zipkin: BootstrapZipkin;
}

function overrideUses(
  objects: readonly RenderedObject[],
  overrides: readonly OverrideZipkin[] = overrideZipkins(objects),
): OverrideUse[] {
  const byName = new Map<string, OverrideZipkin[]>();
  for (const override of overrides) {
    const name = override.configMap.manifest.metadata.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), override]);
  }
  const uses: OverrideUse[] = [];
  for (const template of podTemplates(objects)) {
    const name = template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
    if (typeof name !== 'string') continue;
    const found = (byName.get(name) ?? []).find((o) => o.configMap.manifest.metadata.namespace === template.namespace);
    if (found?.zipkin) uses.push({ template, configMap: found.configMap, zipkin: found.zipkin });
  }
  return uses;
}

/** The mesh-wide ProxyConfig zipkin address (`defaultConfig.tracing.zipkin`) of the objects' mesh configs, if any. */
function meshZipkinAddress(objects: readonly RenderedObject[]): string | undefined {
  for (const { meshConfig } of meshConfigs(objects)) {
    const address = mappingAt(meshConfig, 'defaultConfig', 'tracing', 'zipkin').address;
    if (typeof address === 'string') return address;
  }
  return undefined;
}

/**
 * The ProxyConfig zipkin address a pod's bootstrap is rendered with: its own annotation's, the
 * mesh's (`meshZipkin`), or, up to 1.21, the chart's default tracer to zipkin.<istio namespace>:9411;
 * undefined when none.
 */
function proxyConfigZipkin(
  template: PodTemplate,
  meshZipkin: string | undefined,
  defaultTracer: boolean,
): string | undefined {
  const config = proxyConfigOf(template);
  const own = config instanceof Error ? undefined : mappingAt(config, 'tracing', 'zipkin').address;
  if (typeof own === 'string') return own;
  return meshZipkin ?? (defaultTracer ? 'zipkin.istio-system:9411' : undefined);
}

/** `name.namespace:port` keys of the receiving Services of every Jaeger the app generates. */
function generatedJaegers(context: ValidationContext): Set<string | undefined> {
  return new Set(
    context.constructs
      .filter(isSpanCollectorSource)
      .flatMap((j) => j.spanReceiverAddresses().map((a) => serviceAddressKey(a, j.namespace))),
  );
}

/**
 * A Zipkin collector path with `api/v1/spans` receives Zipkin v1 spans: Jaeger's Zipkin receiver
 * (the OpenTelemetry Collector's zipkinreceiver in Jaeger v2) decodes any such path as v1 and
 * answers 400 to the v2 JSON that istiod's provider always sends
 * (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go: HTTP_JSON, "/api/v2/spans") and that a
 * bootstrap tracer with HTTP_JSON or HTTP_PROTO sends. Every span is lost, silently; the seeds'
 * own lab saw traces stop arriving with the book's `/zipkin/api/v1/spans`.
 */
export const zipkinCollectorPathRule: AppRule = {
  id: 'zipkin-collector-path',
  summary:
    'A Zipkin collector path containing api/v1/spans (a zipkin extension provider path, a bootstrap collectorEndpoint) with Zipkin v2 spans loses every span (the collector decodes v1 and answers 400): an error when the collector is a Jaeger this app generates, a warning otherwise.',
  remediation: 'Use a Zipkin v2 path, /api/v2/spans.',
  kinds: ['ConfigMap', ...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#zipkin-collector-path',
  check(context: ValidationContext): RuleFinding[] {
    const jaegers = generatedJaegers(context);
    const severity = (address: string | undefined, namespace: string | undefined) =>
      context.complete && address !== undefined && jaegers.has(serviceAddressKey(address, namespace))
        ? ('error' as const)
        : ('warning' as const);
    const finding = (path: string, field: FieldPath, value: string, collector: string | undefined, ns?: string) => ({
      path,
      severity: severity(collector, ns),
      ...statement(
        field,
        `posts Zipkin v2 spans to a Zipkin v1 path (got ${formatValue(value)}, expected a path with api/v2/spans, e.g. "/api/v2/spans"): the collector decodes the body as v1 and refuses it, so every span is lost${collector && severity(collector, ns) === 'error' ? ` (the collector is the generated Jaeger, ${collector})` : ''}`,
      ),
      hint: 'use /api/v2/spans (source: istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go sends v2 JSON)',
    });
    const findings: RuleFinding[] = [];
    for (const { path, field, meshConfig } of meshConfigs(context.objects)) {
      listOf(meshConfig.extensionProviders).forEach((provider, i) => {
        const zipkin = mappingAt(provider, 'zipkin');
        if (typeof zipkin.path !== 'string' || !zipkin.path.includes('api/v1/spans')) return;
        const collector = typeof zipkin.service === 'string' ? `${zipkin.service}:${String(zipkin.port)}` : undefined;
        findings.push(finding(path, [...field, 'extensionProviders', i, 'zipkin', 'path'], zipkin.path, collector));
      });
    }
    // Every bootstrap override, whether or not a pod in the set names it (a ConfigMap linted alone
    // loses spans as surely); a pod that uses it tells which collector Istio's own cluster is.
    const defaultTracer = context.targets.some((t) => t.policy.has('defaultZipkinTracer'));
    const meshZipkin = meshZipkinAddress(context.objects);
    const overrides = overrideZipkins(context.objects);
    const uses = overrideUses(context.objects, overrides);
    for (const { configMap, zipkin } of overrides) {
      if (!zipkin || typeof zipkin.endpoint !== 'string' || !zipkin.endpoint.includes('api/v1/spans')) continue;
      if (!V2_ENCODINGS.includes(String(zipkin.version))) continue;
      const template = uses.find((u) => u.configMap === configMap)?.template;
      const cluster = String(zipkin.cluster);
      const collector = zipkin.clusters.has(cluster)
        ? zipkin.clusters.get(cluster)
        : cluster === ISTIO_ZIPKIN_CLUSTER && template
          ? proxyConfigZipkin(template, meshZipkin, defaultTracer)
          : undefined;
      const field = ['data', CUSTOM_BOOTSTRAP_KEY, ...zipkin.field, 'collectorEndpoint'];
      findings.push(
        finding(
          configMap.path,
          field,
          zipkin.endpoint,
          collector,
          template?.namespace ?? configMap.manifest.metadata.namespace,
        ),
      );
    }
    return findings;
  },
};

/**
 * Istio's bootstrap defines the `zipkin` cluster only when the proxy's ProxyConfig has a zipkin
 * tracer (istio/istio@1.30.3:tools/packaging/common/envoy_bootstrap.json `{{ if .zipkin }}`); up
 * to 1.21 the chart gives every proxy one, from 1.22 nothing does unless ProxyConfig says so
 * (istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml). A bootstrap override whose
 * tracer names `collector_cluster: zipkin` without it points at a cluster that is not there.
 */
export const bootstrapZipkinClusterRule: AppRule = {
  id: 'bootstrap-zipkin-cluster',
  summary:
    "A bootstrap override tracer naming Istio's zipkin cluster needs a ProxyConfig zipkin tracer on its pods: Istio's bootstrap defines that cluster only then (from 1.22, when ProxyConfig sets one); an error when the output is complete, a warning for files linted alone.",
  remediation:
    "Give the pods a ProxyConfig zipkin tracer, or point the override's tracer at a cluster it defines itself.",
  kinds: ['ConfigMap', ...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#bootstrap-zipkin-cluster',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const onIstioCluster = overrideUses(context.objects).filter(
      ({ zipkin }) => zipkin.cluster === ISTIO_ZIPKIN_CLUSTER && !zipkin.clusters.has(ISTIO_ZIPKIN_CLUSTER),
    );
    if (onIstioCluster.length === 0) return findings;
    const meshZipkin = meshZipkinAddress(context.objects);
    for (const target of context.targets) {
      const defaultTracer = target.policy.has('defaultZipkinTracer');
      for (const { template, configMap, zipkin } of onIstioCluster) {
        if (proxyConfigZipkin(template, meshZipkin, defaultTracer) !== undefined) continue;
        findings.push({
          path: configMap.path,
          severity: context.complete ? 'error' : 'warning',
          ...statement(
            ['data', CUSTOM_BOOTSTRAP_KEY, ...zipkin.field, 'collectorCluster'],
            `names Istio's "${ISTIO_ZIPKIN_CLUSTER}" bootstrap cluster (got ${formatValue(zipkin.cluster)}), which Istio ${target.istioVersion} defines only for proxies whose ProxyConfig has a zipkin tracer, and ${template.workload}, which uses this override, has none`,
          ),
          hint: `give the workload ProxyConfig zipkin tracing (ZipkinTracer with the proxy-config tracing mechanism), or define the collector's cluster in the override under another name (collectorAddress) (source: ${ZIPKIN_BOOTSTRAP_SOURCE})`,
        });
      }
    }
    return findings;
  },
};
