import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';
import { lintText } from './support/fixtures';

/**
 * One small fixture of our own per false-alarm class seen on the YAML Istio itself ships: each is
 * valid input (what kubectl, istioctl or the operator accept), so lint reports nothing for it.
 */
const dir = mkdtempSync(join(tmpdir(), 'lint-valid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(text: string, name = `f${count++}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The error and warning lines lint prints for `paths` at `version`, without the summary. */
async function lint(version: string, ...paths: string[]): Promise<string[]> {
  const run = await capture(runValidate, ['--istio-version', version, ...paths]);
  return run.stdout.split('\n').filter((line) => /^\S+:\d+: (error|warning): /.test(line));
}

const ENVOY_FILTER = (name: string, proxyVersion: string, match = `      context: SIDECAR_OUTBOUND\n`) =>
  [
    'apiVersion: networking.istio.io/v1alpha3',
    'kind: EnvoyFilter',
    `metadata: { name: ${name}, namespace: istio-system }`,
    'spec:',
    '  configPatches:',
    '  - applyTo: HTTP_FILTER',
    '    match:',
    match,
    `      proxy: { proxyVersion: '${proxyVersion}' }`,
    '    patch:',
    '      operation: INSERT_BEFORE',
    '      value: { name: istio.stats }',
    '',
  ].join('\n');

describe('lint on valid files Istio and its tools accept', () => {
  it('skips empty documents: a trailing ---, or one of comments only', async () => {
    const path = file(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: x }\n---\n# only a comment\n---\n',
    );
    expect(await lint('1.30', path)).toEqual([]);
  });

  it('reads `annotations:` and `labels:` left empty as none, and still checks the rest of the run', async () => {
    const path = file(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: a, namespace: x, annotations: null, labels: null }',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: Bad_Name, namespace: x }',
        '',
      ].join('\n'),
    );
    expect(await lint('1.30', path)).toEqual([
      `${path}:7: error: [ConfigMap/x/Bad_Name] metadata.name: got "Bad_Name", expected a name for this ConfigMap (RFC 1123 subdomain: lower-case alphanumerics and '-' or '.') (kubernetes-metadata)`,
    ]);
  });

  it("accepts the previous minor's stats EnvoyFilters and warns about older ones, which apply to no proxy", async () => {
    const previous = file(ENVOY_FILTER('stats-filter-1.16', '^1\\.16.*'));
    const older = file(ENVOY_FILTER('stats-filter-1.11', '^1\\.11.*'));
    expect(await lint('1.17', previous)).toEqual([]);
    expect(await lint('1.17', older)).toEqual([
      `${older}:10: warning: [EnvoyFilter/istio-system/stats-filter-1.11] spec.configPatches[0].match.proxy.proxyVersion: selects only Istio 1.11 proxies, which an Istio 1.17 control plane does not serve: the patch applies to no proxy (got "^1\\\\.11.*", expected a regex for the proxies of Istio 1.17 or the minor before it); hint: delete it, or use "^1\\\\.17([.-].*)?$" if it is meant for 1.17 (proxy-version-regex)`,
    ]);
  });

  it('reads `match:` left empty on an EnvoyFilter patch and `spec:` left empty on an IstioOperator as none', async () => {
    const envoyFilter = file(
      [
        'apiVersion: networking.istio.io/v1alpha3',
        'kind: EnvoyFilter',
        'metadata: { name: remove, namespace: bookinfo }',
        'spec:',
        '  configPatches:',
        '  - applyTo: NETWORK_FILTER',
        '    match:',
        '    patch:',
        '      operation: REMOVE',
        '',
      ].join('\n'),
    );
    const operator = file('apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n');
    expect(await lint('1.30', envoyFilter, operator)).toEqual([]);
  });

  it('checks an IstioOperator of any install.istio.io version, as istioctl reads it', async () => {
    const path = file(
      [
        'apiVersion: install.istio.io/v1alpha3',
        'kind: IstioOperator',
        'spec:',
        '  meshConfig:',
        '    defaultConfig:',
        '      tracing: { sampling: 200 }',
        '',
      ].join('\n'),
    );
    expect((await lint('1.17', path)).filter((line) => line.includes(': error: '))).toEqual([
      `${path}:6: error: [IstioOperator/-/-] spec.meshConfig.defaultConfig.tracing.sampling: must be <= 100 (got 200) [schemas/istio-operator.schema.json] (object-schema)`,
    ]);
  });

  it('takes a pod without a namespace to be applied where its bootstrap ConfigMap is', async () => {
    const path = file(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: custom-bootstrap, namespace: default }',
        'data: { custom_bootstrap.json: "{}" }',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: app }',
        'spec:',
        '  selector: { matchLabels: { app: app } }',
        '  template:',
        '    metadata:',
        '      labels: { app: app }',
        '      annotations: { sidecar.istio.io/bootstrapOverride: custom-bootstrap }',
        '    spec: { containers: [ { name: app, image: app } ] }',
        '',
      ].join('\n'),
    );
    expect((await lint('1.30', path)).filter((line) => line.includes('error'))).toEqual([]);
  });

  it('lets istioctl overlay several nameless IstioOperators', async () => {
    const path = file(
      'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: { profile: minimal }\n---\n' +
        'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: { hub: example.com }\n',
    );
    expect(await lint('1.30', path)).toEqual([]);
  });

  it("accepts the kiali-operator's own defaults: an empty auth strategy, empty URLs, fields of Kiali 2", async () => {
    const path = file(
      [
        'apiVersion: kiali.io/v1alpha1',
        'kind: Kiali',
        'metadata: { name: kiali, namespace: istio-system }',
        'spec:',
        '  auth: { strategy: "" }',
        '  external_services:',
        '    prometheus: { enabled: true, url: "" }',
        '    tracing: { enabled: false, internal_url: "", disable_version_check: false, use_waypoint_name: false }',
        '---',
        'apiVersion: kiali.io/v1alpha1',
        'kind: Kiali',
        'metadata: { name: minimal, namespace: istio-system }',
        '',
      ].join('\n'),
    );
    expect(await lint('1.26', path)).toEqual([]);
  });

  it("holds a custom resource to the CRD rules of the target's own release", async () => {
    const path = file(
      [
        'apiVersion: telemetry.istio.io/v1',
        'kind: Telemetry',
        'metadata: { name: t, namespace: default }',
        'spec:',
        '  selector: { matchLabels: { app: gateway } }',
        '  targetRefs: [ { group: gateway.networking.k8s.io, kind: Gateway, name: gateway } ]',
        '',
      ].join('\n'),
    );
    // The rule came with the 1.24 CRD; a 1.22 API server stores the object.
    expect(await lint('1.22', path)).toEqual([]);
    expect(await lint('1.26', path)).toEqual([
      `${path}:4: error: [Telemetry/default/t] spec: only one of targetRefs or selector can be set (got {"selector":{"matchLabels":{"app":"gateway"}},"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"Gateway","name…, expected it to satisfy the CRD rule (has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1) [the istio-1.31.0-rc.0 CRD schema] (object-schema)`,
    ]);
  });

  it('lists a folder’s Helm values file once as skipped instead of reporting it', async () => {
    const folder = join(dir, 'chart');
    mkdirSync(folder);
    writeFileSync(join(folder, 'values.yaml'), 'replicaCount: 2\nimage: { tag: latest }\n');
    const run = await capture(runValidate, ['--istio-version', '1.30', folder]);
    expect(run.stdout).toContain(
      `not checked as objects (kustomize files, JSON 6902 patches, Helm values; what Istio reads in them is): ${join(folder, 'values.yaml')}\n`,
    );
    expect(run.status).toBe(0);
  });
});

describe('lint on the mistakes users make', () => {
  it('says a Telemetry tracing rule without a provider traces nothing unless the mesh supplies one (istio/istio#38920)', async () => {
    const telemetry = file(
      [
        'apiVersion: telemetry.istio.io/v1',
        'kind: Telemetry',
        'metadata: { name: sampling, namespace: shop }',
        'spec:',
        '  tracing: [ { randomSamplingPercentage: 10 } ]',
        '',
      ].join('\n'),
    );
    const noDefault = file(
      'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig: { enableTracing: true }\n',
    );
    const withDefault = file(
      'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig: { defaultProviders: { tracing: [zipkin] } }\n',
    );
    const what =
      'spec.tracing: names no provider, and {}: a Telemetry in the root namespace or this namespace without a selector, or meshConfig.defaultProviders.tracing; without one istiod turns tracing off for these proxies (istio/istio#38920); hint: name the provider here (providers: [{ name: zipkin }]) or in meshConfig.defaultProviders.tracing (tracing-provider)';
    expect(await lint('1.30', telemetry)).toEqual([
      `${telemetry}:5: warning: [Telemetry/shop/sampling] ${what.replace('{}', 'traces only if the mesh supplies one')}`,
    ]);
    const complete = await capture(runValidate, ['--istio-version', '1.30', '--complete', telemetry, noDefault]);
    expect(complete.stdout.split('\n').filter((line) => line.includes('(tracing-provider)'))).toEqual([
      `${telemetry}:5: error: [Telemetry/shop/sampling] ${what.replace('{}', 'nothing applied with it supplies one')}`,
    ]);
    expect((await lint('1.30', telemetry, withDefault)).filter((line) => line.includes('tracing-provider'))).toEqual(
      [],
    );
  });

  it('on the IstioOperator of istio/istio#28910: no false error, and the dimension missing from extraStatTags', async () => {
    const path = file(
      [
        'apiVersion: install.istio.io/v1alpha1',
        'kind: IstioOperator',
        'spec:',
        '  meshConfig:',
        '    defaultConfig:',
        '      extraStatTags: [request_path]',
        '  values:',
        '    telemetry:',
        '      v2:',
        '        prometheus:',
        '          configOverride:',
        '            outboundSidecar:',
        '              debug: false',
        '              stat_prefix: istio',
        '              metrics:',
        '              - dimensions:',
        '                  request_operation: istio_operationId',
        '                  request_path: request.url_path',
        '',
      ].join('\n'),
    );
    const found = await lint('1.17', path);
    expect(found.filter((line) => line.includes(': error: '))).toEqual([]);
    expect(found.map((line) => line.replace(/ \(got .*$/, '').replace(/: is a field .*$/, ''))).toEqual([
      `${path}:6: warning: [IstioOperator/-/-] spec.meshConfig.defaultConfig.extraStatTags: misses request_operation, which the configOverride adds to the sidecars' metrics: Wasm-filter proxies put it into the metric name instead of a label (istio/istio#28910)`,
      `${path}:5: warning: [IstioOperator/-/-] spec.meshConfig.defaultConfig.{extraStatTags}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart) (restart-required)`,
      `${path}:13: warning: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.debug`,
      `${path}:17: warning: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.metrics[0].dimensions.request_operation: reads unknown attribute "istio_operationId" at column 1`,
      // A true finding: the request_path makes a series per path.
      `${path}:18: warning: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.metrics[0].dimensions.request_path: reads request.url_path, which takes a value per request: each becomes a Prometheus series of every standard metric`,
      `${path}:14: warning: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.stat_prefix`,
    ]);
  });

  it('refuses a tag UPSERT without a value, a WasmPlugin URL of another scheme and an env variable twice, as the API server does', async () => {
    const path = file(
      [
        'apiVersion: telemetry.istio.io/v1',
        'kind: Telemetry',
        'metadata: { name: t, namespace: default }',
        'spec:',
        '  metrics:',
        '  - overrides:',
        '    - tagOverrides: { team: { operation: UPSERT } }',
        '---',
        'apiVersion: extensions.istio.io/v1alpha1',
        'kind: WasmPlugin',
        'metadata: { name: w, namespace: default }',
        'spec:',
        '  url: ftp://example.com/plugin.wasm',
        '  vmConfig: { env: [ { name: A }, { name: A } ] }',
        '',
      ].join('\n'),
    );
    const found = (await lint('1.30', path)).map((line) => line.replace(/ \(got .*$/, ''));
    expect(found).toEqual([
      `${path}:7: error: [Telemetry/default/t] spec.metrics[0].overrides[0].tagOverrides.team: value must be set when operation is UPSERT`,
      `${path}:13: error: [WasmPlugin/default/w] spec.url: url must have schema one of [http, https, file, oci]`,
      `${path}:14: error: [WasmPlugin/default/w] spec.vmConfig.env: Duplicate value: expected an item whose name no other item has`,
    ]);
  });

  it('refuses an EnvoyFilter that loads the null-VM attributegen plugin on 1.18+ (istio/istio#47042)', async () => {
    const path = file(
      [
        'apiVersion: networking.istio.io/v1alpha3',
        'kind: EnvoyFilter',
        'metadata: { name: attribute-gen, namespace: istio-system }',
        'spec:',
        '  configPatches:',
        '  - applyTo: HTTP_FILTER',
        '    match: { context: SIDECAR_INBOUND }',
        '    patch:',
        '      operation: INSERT_BEFORE',
        '      value:',
        '        name: istio.attributegen',
        '        typed_config:',
        '          "@type": type.googleapis.com/udpa.type.v1.TypedStruct',
        '          type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm',
        '          value:',
        '            config:',
        '              vm_config:',
        '                runtime: envoy.wasm.runtime.null',
        '                code: { local: { inline_string: envoy.wasm.attributegen } }',
        '',
      ].join('\n'),
    );
    expect(await lint('1.17', path)).toEqual([]);
    expect((await lint('1.20', path)).filter((line) => line.includes('null-vm-attributegen'))).toEqual([
      `${path}:10: error: [EnvoyFilter/istio-system/attribute-gen] spec.configPatches[0].patch.value: loads the null-VM attributegen plugin (envoy.wasm.attributegen), which the proxies of Istio 1.20 no longer have (istio/proxy#4462): Envoy refuses the filter and the attribute is never generated (istio/istio#47042); hint: generate the attribute with a WasmPlugin that loads the attributegen module (the AttributeGen construct emits one from 1.18) (null-vm-attributegen)`,
    ]);
  });

  it('refuses sampling 0 in the mesh-wide defaultConfig, which Istio reads as unset (istio/istio#36750, #31985)', async () => {
    const configMap = file(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: istio, namespace: istio-system }',
        'data:',
        '  mesh: |',
        '    defaultConfig:',
        '      tracing: { sampling: 0 }',
        '',
      ].join('\n'),
    );
    const operator = file(
      'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    defaultConfig:\n      tracing: { sampling: 0 }\n',
    );
    const reason =
      'Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)';
    expect((await lint('1.20', configMap)).filter((line) => line.includes(': error: '))).toEqual([
      `${configMap}:5: error: [ConfigMap/istio-system/istio] data.mesh.defaultConfig.tracing.sampling: ${reason}`,
    ]);
    expect((await lint('1.20', operator)).filter((line) => line.includes(': error: '))).toEqual([
      `${operator}:6: error: [IstioOperator/-/-] spec.meshConfig.defaultConfig.tracing.sampling: ${reason}`,
    ]);
  });

  it('refuses a Prometheus series name in a configOverride, which matches no metric (istio/istio#27764)', async () => {
    const path = file(
      [
        'apiVersion: install.istio.io/v1alpha1',
        'kind: IstioOperator',
        'spec:',
        '  values:',
        '    telemetry:',
        '      v2:',
        '        prometheus:',
        '          configOverride:',
        '            inboundSidecar:',
        '              metrics:',
        '              - name: request_duration_milliseconds_count',
        '                dimensions: { request_host: request.host }',
        '',
      ].join('\n'),
    );
    expect((await lint('1.17', path)).filter((line) => line.includes(': error: '))).toEqual([
      `${path}:11: error: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.inboundSidecar.metrics[0].name: got "request_duration_milliseconds_count", expected a standard metric base name (requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total); use the base name "request_duration_milliseconds" (istio/istio#27764) (config-override)`,
    ]);
  });

  it('reports an extension provider left empty, which istiod reads as no provider', async () => {
    const path = file(
      [
        'apiVersion: install.istio.io/v1alpha1',
        'kind: IstioOperator',
        'spec:',
        '  meshConfig:',
        '    extensionProviders:',
        '    - name: zipkin',
        '      zipkin:',
        '',
      ].join('\n'),
    );
    expect(await lint('1.30', path)).toEqual([
      `${path}:6: error: [IstioOperator/-/-] spec.meshConfig.extensionProviders[0]: names no provider (got {"name":"zipkin","zipkin":null}): istiod refuses the mesh config with "unsupported provider"; hint: give exactly one provider with its settings, e.g. zipkin: { service: zipkin.istio-system.svc.cluster.local, port: 9411 } (extension-providers)`,
    ]);
  });
  it('holds hand-written objects to the input rules the constructs apply to the same fields', async () => {
    const operator = file(
      [
        'apiVersion: install.istio.io/v1alpha1',
        'kind: IstioOperator',
        'spec:',
        '  meshConfig:',
        '    defaultConfig:',
        '      tracing:',
        '        custom_tags:',
        '          "team name": { literal: { value: checkout } }',
        '  values:',
        '    pilot: { traceSampling: 0 }',
        '    telemetry:',
        '      v2:',
        '        prometheus:',
        '          configOverride:',
        '            outboundSidecar:',
        '              definitions:',
        '              - { name: istio_cart_adds, type: COUNTER, value: "1" }',
        '              metrics:',
        '              - name: requests_total',
        '                dimensions: { destination_port: string(destination.port) }',
        '',
      ].join('\n'),
    );
    const telemetry = file(
      [
        'apiVersion: telemetry.istio.io/v1',
        'kind: Telemetry',
        'metadata: { name: mesh-default, namespace: istio-system }',
        'spec:',
        '  metrics:',
        '  - overrides:',
        '    - tagOverrides:',
        '        __host: { value: request.host }',
        '  tracing:',
        '  - providers: [{ name: zipkin }]',
        '    customTags:',
        '      build: { environment: { name: "BUILD-ID" } }',
        '      user: { header: { name: "x user" } }',
        '      empty: { literal: { value: "" } }',
        '',
      ].join('\n'),
    );
    const rule = '(hand-written-inputs)';
    const ruled = async (version: string, path: string) => (await lint(version, path)).filter((l) => l.endsWith(rule));
    expect(await ruled('1.17', operator)).toEqual([
      `${operator}:7: error: [IstioOperator/-/-] spec.meshConfig.defaultConfig.tracing.custom_tags: got "team name", expected a tag name of letters, digits and _.:/- ${rule}`,
      `${operator}:10: error: [IstioOperator/-/-] spec.values.pilot.traceSampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 ${rule}`,
      `${operator}:17: error: [IstioOperator/-/-] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.definitions[0].name: got "istio_cart_adds", expected a name without the istio_ prefix, which Istio adds ("cart_adds") ${rule}`,
    ]);
    expect(await ruled('1.30', telemetry)).toEqual([
      `${telemetry}:8: error: [Telemetry/istio-system/mesh-default] spec.metrics[0].overrides[0].tagOverrides.__host: got "__host", expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __) ${rule}`,
      `${telemetry}:12: error: [Telemetry/istio-system/mesh-default] spec.tracing[0].customTags.build.environment.name: got "BUILD-ID", expected an environment variable name ${rule}`,
      `${telemetry}:14: error: [Telemetry/istio-system/mesh-default] spec.tracing[0].customTags.empty.literal.value: got "", expected a non-empty string ${rule}`,
      `${telemetry}:13: error: [Telemetry/istio-system/mesh-default] spec.tracing[0].customTags.user.header.name: got "x user", expected an HTTP header name (RFC 9110 token) ${rule}`,
    ]);
  });
});

describe("Telemetry tag overrides, as istiod's validating webhook holds them on every release", () => {
  const telemetry = (tag: string) =>
    [
      'apiVersion: telemetry.istio.io/v1alpha1',
      'kind: Telemetry',
      'metadata: { name: mesh-default, namespace: istio-system }',
      'spec:',
      '  metrics:',
      '    - providers: [{ name: prometheus }]',
      '      overrides:',
      '        - match: { metric: REQUEST_COUNT }',
      '          tagOverrides:',
      `            request_host: ${tag}`,
      '',
    ].join('\n');

  // istio/istio@1.22.8:pkg/config/validation/validation.go lines 3028-3034; the 1.22 CRD has no rule for it.
  it('refuses UPSERT (the default) without a value and REMOVE with one, where the CRD does not', async () => {
    expect(await lintText(telemetry('{ operation: UPSERT }'), '1.22', { rule: 'hand-written-inputs' })).toEqual([
      "10: error: [Telemetry/istio-system/mesh-default] spec.metrics[0].overrides[0].tagOverrides.request_host.value: is missing, so istiod's validating webhook refuses the Telemetry (tagOverrides.value must be set when operation is UPSERT) (got null, expected a CEL expression: the value is required when operation is UPSERT (the default)); hint: set value, or operation: REMOVE to drop the label (istio/istio@1.31.0-rc.0:pkg/config/validation/validation.go) (hand-written-inputs)",
    ]);
    expect((await lintText(telemetry('{}'), '1.22', { rule: 'hand-written-inputs' })).length).toBe(1);
    expect(
      await lintText(telemetry('{ operation: REMOVE, value: x }'), '1.22', { rule: 'hand-written-inputs' }),
    ).toEqual([
      '10: error: [Telemetry/istio-system/mesh-default] spec.metrics[0].overrides[0].tagOverrides.request_host.value: is set with operation REMOVE, so istiod\'s validating webhook refuses the Telemetry (got "x", expected no value with operation REMOVE); hint: remove value (istio/istio@1.31.0-rc.0:pkg/config/validation/validation.go) (hand-written-inputs)',
    ]);
    expect(await lintText(telemetry('{ value: request.host }'), '1.22')).toEqual([]);
    // istiod refuses only a non-empty value with REMOVE.
    expect(
      await lintText(telemetry('{ operation: REMOVE, value: "" }'), '1.20', { rule: 'hand-written-inputs' }),
    ).toEqual([]);
  });

  it('leaves an explicit UPSERT without a value to the CRD rule where the release has it (1.26+)', async () => {
    const found = await lintText(telemetry('{ operation: UPSERT }'), '1.31');
    expect(found.map((f) => f.replace(/.*\(([a-z-]+)\)$/, '$1'))).toEqual(['object-schema']);
  });
});

describe('a repeated key', () => {
  it('is named, at the line of the repeat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dup-key-'));
    const file = join(dir, 'dup.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    const run = await capture(runValidate, ['--istio-version', '1.30', file]);
    expect(run.stdout.split('\n')[0]).toBe(
      `${file}:5: error: name: repeats the key "name" of this mapping (expected each key once) (yaml)`,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('kiali-labels on hand-written objects', () => {
  it('warns at a Telemetry that removes a label Kiali reads, with the Kiali CR in another file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiali-labels-'));
    writeFileSync(
      join(dir, 'kiali.yaml'),
      'apiVersion: kiali.io/v1alpha1\nkind: Kiali\nmetadata: { name: kiali, namespace: istio-system }\nspec: {}\n',
    );
    const telemetry = [
      'apiVersion: telemetry.istio.io/v1',
      'kind: Telemetry',
      'metadata: { name: mesh-default, namespace: istio-system }',
      'spec:',
      '  metrics:',
      '    - providers: [{ name: prometheus }]',
      '      overrides:',
      '        - match: { metric: REQUEST_COUNT }',
      '          tagOverrides:',
      '            request_protocol: { operation: REMOVE }',
      '            request_host: { operation: REMOVE }',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'telemetry.yaml'), telemetry);
    const warning = `${join(dir, 'telemetry.yaml')}:10: warning: [Telemetry/istio-system/mesh-default] spec.metrics[0].overrides[0].tagOverrides.request_protocol: removes a label of istio_requests_total that Kiali's graph and health read, and Kiali is deployed (got "request_protocol", expected a label Kiali does not read, with Kiali deployed); hint: keep request_protocol (kiali.io FAQ, "Which Istio metrics and attributes are required by Kiali?"), or drop Kiali (kiali-labels)`;
    const both = await capture(runValidate, ['--istio-version', '1.26', dir]);
    expect(both.stdout.split('\n').filter((l) => l.includes('(kiali-labels)'))).toEqual([warning]);
    // Without Kiali in the set, the label is the user's to remove.
    const alone = await capture(runValidate, ['--istio-version', '1.26', join(dir, 'telemetry.yaml')]);
    expect(alone.stdout).not.toContain('kiali-labels');
    rmSync(dir, { recursive: true, force: true });
  });
});
