import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { changeEffect, startupFields } from '../analysis/review/change-effect';
import { changedFields } from '../cli/diff';
import { type InstallInputKind, installInputOf, withEmbeddedDocuments } from '../model/install-inputs';
import type { Manifest } from '../model/objects';
import { lintText } from './support/fixtures';

/**
 * The four install inputs that carry a mesh config (model/install-inputs.ts), each built around the
 * same MeshConfig and istiod chart values: what a rule, REPORT.md or `diff` knows of a field holds
 * in all four. Each case names the input, where it keeps the MeshConfig (as a finding names it),
 * and the line the finding is on.
 */
interface Input {
  readonly kind: InstallInputKind;
  readonly object: string;
  readonly meshConfig: string;
  readonly values?: string;
  text(meshConfig: object, values?: object): string;
}

const INPUTS: readonly Input[] = [
  {
    kind: 'istio-operator',
    object: 'IstioOperator/istio-system/control-plane',
    meshConfig: 'spec.meshConfig',
    values: 'spec.values',
    text: (meshConfig, values) =>
      stringify({
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: 'control-plane', namespace: 'istio-system' },
        spec: { meshConfig, ...(values ? { values } : {}) },
      }),
  },
  {
    kind: 'helm-values',
    object: 'IstiodHelmValues/-/-',
    meshConfig: 'meshConfig',
    values: '',
    text: (meshConfig, values) => stringify({ meshConfig, ...values }),
  },
  {
    kind: 'sail-istio',
    object: 'Istio/-/default',
    meshConfig: 'spec.values.meshConfig',
    values: 'spec.values',
    text: (meshConfig, values) =>
      stringify({
        apiVersion: 'sailoperator.io/v1',
        kind: 'Istio',
        metadata: { name: 'default' },
        spec: { namespace: 'istio-system', version: 'v1.26.8', values: { meshConfig, ...values } },
      }),
  },
  {
    kind: 'mesh-configmap',
    object: 'ConfigMap/istio-system/istio',
    meshConfig: 'data.mesh',
    text: (meshConfig) =>
      stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: { mesh: stringify(meshConfig) },
      }),
  },
];

const at = (base: string | undefined, rest: string) => (base ? `${base}.${rest}` : rest);

/** The manifest as lint reads it (a document without apiVersion and kind is istiod's Helm values). */
function manifestOf(text: string): Manifest {
  const value = parse(text) as Manifest;
  return value.kind ? value : { ...value, apiVersion: '', kind: 'IstiodHelmValues', metadata: {} };
}

/** Each finding without its line, which depends on how each input nests the field. */
const withoutLines = (findings: readonly string[]) => findings.map((f) => f.replace(/^\d+: /, ''));

describe('every install input is read by one reader', () => {
  it.each(INPUTS)('$kind: is recognised as the install input it is', (input) => {
    expect(installInputOf(manifestOf(input.text({ rootNamespace: 'mesh-root' })))).toEqual({
      kind: input.kind,
      meshConfigs: [{ field: input.meshConfig.split('.'), meshConfig: { rootNamespace: 'mesh-root' } }],
      rootNamespace: 'mesh-root',
      ...(input.values === undefined ? {} : { valuesField: input.values === '' ? [] : input.values.split('.') }),
    });
  });

  it.each(INPUTS)('$kind: a zipkin provider path is refused before 1.24, the release that has it', async (input) => {
    const text = input.text({
      extensionProviders: [
        {
          name: 'zipkin',
          zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411, path: '/api/v2/spans' },
        },
      ],
    });
    expect(withoutLines(await lintText(text, '1.22', { rule: 'field-availability' }))).toEqual([
      `error: [${input.object}] ${input.meshConfig}.extensionProviders[0].zipkin.path: needs zipkin provider path (Istio 1.24 and later), and the target is Istio 1.22 (got "/api/v2/spans") (field-availability)`,
    ]);
    expect(await lintText(text, '1.24', { rule: 'field-availability' })).toEqual([]);
  });

  it.each(INPUTS)('$kind: a configOverride naming istio_requests_total is an error at 1.20', async (input) => {
    const configOverride = {
      inboundSidecar: { metrics: [{ name: 'istio_requests_total', dimensions: { host: 'request.host' } }] },
    };
    const text = input.text({}, { telemetry: { v2: { prometheus: { configOverride } } } });
    const found = withoutLines(await lintText(text, '1.20', { rule: 'config-override' }));
    // The mesh ConfigMap carries no chart values, and a Sail Istio's CRD has no configOverride
    // (the API server prunes it; Sail installs 1.21 and later): nothing of either reaches the filter.
    expect(found).toEqual(
      input.values === undefined || input.kind === 'sail-istio'
        ? []
        : [
            `error: [${input.object}] ${at(input.values, 'telemetry.v2.prometheus.configOverride.inboundSidecar.metrics[0].name')}: got "istio_requests_total", expected a standard metric base name (requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total); use "requests_total" without the istio_ prefix Prometheus adds (config-override)`,
          ],
    );
  });

  it.each(INPUTS)('$kind: a ProxyConfig sampling of 0 in the mesh defaults is an error', async (input) => {
    const text = input.text({ defaultConfig: { tracing: { sampling: 0.0 } } });
    expect(withoutLines(await lintText(text, '1.22', { rule: 'proxy-config-annotation' }))).toEqual([
      `error: [${input.object}] ${input.meshConfig}.defaultConfig.tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)`,
    ]);
  });

  it.each(INPUTS)('$kind: a change to the mesh-wide ProxyConfig needs a restart', (input) => {
    const before = manifestOf(input.text({ defaultConfig: { tracing: { sampling: 1 } } }));
    const after = manifestOf(input.text({ defaultConfig: { tracing: { sampling: 5 } } }));
    const fields = changedFields(withEmbeddedDocuments(before), withEmbeddedDocuments(after));
    expect(fields).toEqual([[...input.meshConfig.split('.'), 'defaultConfig', 'tracing', 'sampling']]);
    expect(fields.map((field) => changeEffect(after, field))).toEqual(['restart-needed']);
    expect(startupFields(after).map((s) => s.value)).toEqual([{ tracing: { sampling: 5 } }]);
  });

  it("reads istio/istio#31985's IstioOperator, whose sampling of 0.0 is in spec.values.meshConfig", async () => {
    // The values, verbatim; spec.values.meshConfig is overlaid on spec.meshConfig
    // (istio/istio@1.20.8:operator/pkg/translate/translate.go lines 563-592).
    const text = [
      'apiVersion: install.istio.io/v1alpha1',
      'kind: IstioOperator',
      'metadata:',
      '  name: control-plane',
      '  namespace: istio-system',
      'spec:',
      '    values:',
      '      meshConfig:',
      '        enableTracing: true',
      '        defaultConfig:',
      '          tracing:',
      '            sampling: 0.0',
      '      global:',
      '        proxy:',
      '          tracer: stackdriver',
      '',
    ].join('\n');
    expect(await lintText(text, '1.20', { rule: 'proxy-config-annotation' })).toEqual([
      '12: error: [IstioOperator/istio-system/control-plane] spec.values.meshConfig.defaultConfig.tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0 (proxy-config-annotation)',
    ]);
  });

  it("takes the root namespace from the chart's global.istioNamespace, or the Sail Istio's namespace, when the mesh config names none", () => {
    const helm = manifestOf(stringify({ meshConfig: {}, global: { istioNamespace: 'mesh-system' } }));
    expect(installInputOf(helm)?.rootNamespace).toBe('mesh-system');
    const sail = manifestOf(
      stringify({
        apiVersion: 'sailoperator.io/v1',
        kind: 'Istio',
        metadata: { name: 'default' },
        spec: { namespace: 'sail-system' },
      }),
    );
    expect(installInputOf(sail)?.rootNamespace).toBe('sail-system');
    const configMap = manifestOf(INPUTS[3]?.text({}) ?? '');
    expect(installInputOf(configMap)?.rootNamespace).toBe('istio-system');
  });

  it('orders an IstioOperator meshConfig before spec.values.meshConfig, which wins', () => {
    const manifest = manifestOf(
      stringify({
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: 'x' },
        spec: { meshConfig: { rootNamespace: 'a' }, values: { meshConfig: { rootNamespace: 'b' } } },
      }),
    );
    expect(installInputOf(manifest)?.meshConfigs.map((m) => m.field)).toEqual([
      ['spec', 'meshConfig'],
      ['spec', 'values', 'meshConfig'],
    ]);
  });
});
