import { describe, expect, it } from 'vitest';
import { runPlan } from '../cli/plan';
import { capture } from './support/capture';

/** `plan`: what an upgrade changes, for hand-written YAML and for a declaration. */
const PLAN = 'test/adopt/plan';

const METRICS_GONE =
  'error: [IstioOperator/istio-system/control-plane] spec.meshConfig.defaultProviders: names no metrics provider (got {"tracing":["zipkin"]}), expected metrics: [prometheus] beside the others: the istiod chart writes its default metrics: [prometheus] only while defaultProviders is unset, so istiod builds no stats filter and every proxy that no Telemetry names a metrics provider for loses all standard Istio metrics (no Telemetry in istio-system names one); hint: add metrics: [prometheus] to defaultProviders, or name the provider in the metrics of a Telemetry in istio-system without a selector (istio/istio#51384; source: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl) (mesh-default-providers)';

describe('plan of hand-written YAML', () => {
  it('reports that a defaultProviders naming only a tracer leaves no standard metric, at 1.21 and still at 1.22', async () => {
    const { status, stdout } = await capture(runPlan, ['--from', '1.21', '--to', '1.22', `${PLAN}/tracer-only.yaml`]);
    expect(status).toBe(0);
    expect(stdout).toBe(
      [
        'upgrade of 1 file(s) from Istio 1.21 to 1.22, one minor at a time',
        '',
        '1.21 -> 1.22',
        '  nothing changes',
        '',
        'already so at 1.21, still so at 1.22:',
        `  ${PLAN}/tracer-only.yaml:12: ${METRICS_GONE}`,
        '',
      ].join('\n'),
    );
  });

  it('reports the same as a change where it happens, from 1.20 (the chart rendered the stats EnvoyFilters then)', async () => {
    const { status, stdout } = await capture(runPlan, ['--from', '1.20', '--to', '1.21', `${PLAN}/tracer-only.yaml`]);
    expect(status).toBe(1);
    expect(stdout.split('\n').slice(2, 4)).toEqual([
      '1.20 -> 1.21',
      `  new at 1.21: ${PLAN}/tracer-only.yaml:12: ${METRICS_GONE}`,
    ]);
  });

  it('reports the 1.24 CEL change for a Telemetry reading upstream_peer.istio_version, with its release note', async () => {
    const { status, stdout } = await capture(runPlan, ['--from', '1.23', '--to', '1.24', `${PLAN}/peer-version.yaml`]);
    expect(status).toBe(1);
    expect(stdout).toBe(
      [
        'upgrade of 1 file(s) from Istio 1.23 to 1.24, one minor at a time',
        '',
        '1.23 -> 1.24',
        `  new at 1.24: ${PLAN}/peer-version.yaml:13: error: [Telemetry/istio-system/peer-version] spec.metrics[0].overrides[0].tagOverrides.upstream_proxy_version.value: reads unknown attribute "upstream_peer" at column 1 (got "upstream_peer.istio_version", expected attributes of Istio 1.24: connection, destination, filter_state, metadata, request, response, source, upstream, xds); hint: Istio 1.24 reads it as filter_state.upstream_peer (the CEL vocabulary changed in 1.24: istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml) (cel-expression)`,
        '',
      ].join('\n'),
    );
  });

  it('reports every step when it skips minors, each change with its source and the objects it hits', async () => {
    const { stdout } = await capture(runPlan, ['--from', '1.21', '--to', '1.25', `${PLAN}/old-mesh.yaml`]);
    expect(stdout.split('\n').slice(0, 16)).toEqual([
      'upgrade of 1 file(s) from Istio 1.21 to 1.25, one minor at a time',
      '',
      '1.21 -> 1.22',
      "  change at 1.22: the charts no longer configure a zipkin tracer to zipkin.<istio namespace>:9411 (global.proxy.tracer went from zipkin to none): this mesh names no tracer of its own, so from 1.22 its proxies send no spans; name one (an extension provider in defaultProviders.tracing or the root namespace's Telemetry), or keep 1.21's defaults with compatibilityVersion: 1.21 (istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml)",
      `    ${PLAN}/old-mesh.yaml:11: IstioOperator istio-system/control-plane spec.meshConfig.defaultConfig.tracing`,
      '',
      '1.22 -> 1.23',
      '  change at 1.23: istiod no longer configures the OpenCensus tracer of an extension provider: this provider sends nothing; migrate it to an opentelemetry provider (istio/istio@1.23.0:releasenotes/notes/51078.yaml)',
      `    ${PLAN}/old-mesh.yaml:15: IstioOperator istio-system/control-plane spec.meshConfig.extensionProviders[0].opencensus`,
      '',
      '1.23 -> 1.24',
      '  nothing changes',
      '',
      '1.24 -> 1.25',
      '  nothing changes',
      '',
    ]);
  });

  it("reports the chart's zipkin default in a ConfigMap a 1.21 chart rendered, and not once a tracer is named", async () => {
    const rendered = await capture(runPlan, ['--from', '1.21', '--to', '1.22', `${PLAN}/rendered-configmap.yaml`]);
    expect(rendered.stdout.split('\n').slice(3, 5)).toEqual([
      "  change at 1.22: the charts no longer configure a zipkin tracer to zipkin.<istio namespace>:9411 (global.proxy.tracer went from zipkin to none): this mesh names no tracer of its own, so from 1.22 its proxies send no spans; name one (an extension provider in defaultProviders.tracing or the root namespace's Telemetry), or keep 1.21's defaults with compatibilityVersion: 1.21 (istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml)",
      `    ${PLAN}/rendered-configmap.yaml:9: ConfigMap istio-system/istio data.mesh.defaultConfig.tracing`,
    ]);
    const named = await capture(runPlan, ['--from', '1.21', '--to', '1.22', `${PLAN}/tracer-only.yaml`]);
    expect(named.stdout).not.toContain('change at 1.22');
  });

  it('shows a setting whose effective value changes: overlapping Telemetry merge from 1.20 (istio/istio#47648)', async () => {
    const { stdout } = await capture(runPlan, ['--from', '1.19', '--to', '1.20', 'test/adopt/brownfield']);
    expect(stdout).toContain('\n  shop/Deployment/cart sampling: 10% at 1.19, 50% at 1.20\n');
  });
});

describe('plan of a declaration', () => {
  it("prints each release's output against the one before, in diff's format", async () => {
    const { status, stdout } = await capture(runPlan, [
      '--from',
      '1.17',
      '--to',
      '1.18',
      '--config',
      'observability.yaml',
    ]);
    expect(status).toBe(1);
    expect(stdout.split('\n').slice(0, 6)).toEqual([
      'upgrade of observability.yaml from Istio 1.17 to 1.18, one minor at a time',
      '',
      '1.17 -> 1.18',
      '  - istioinaction.k8s.yaml: EnvoyFilter istioinaction/attribute-gen-example: removed',
      '  + istioinaction.k8s.yaml: WasmPlugin istioinaction/attribute-gen-example: added',
      '  + mesh.k8s.yaml: Telemetry istio-system/mesh-default: added',
    ]);
  });

  it('says why a release refuses it', async () => {
    const { stdout } = await capture(runPlan, [
      '--from',
      '1.28',
      '--to',
      '1.29',
      '--config',
      'examples/istio-1.30.yaml',
    ]);
    expect(stdout).toBe(
      [
        'upgrade of examples/istio-1.30.yaml from Istio 1.28 to 1.29, one minor at a time',
        '',
        'refused at 1.28 (the release upgraded from):',
        '  1 error(s) in the observability configuration:',
        '    examples/istio-1.30.yaml:96:32 [istioinaction/webapp-trace-tags] tags.requested_server_name.formatter: needs Telemetry customTags formatter (Istio 1.29 and later), and the target is Istio 1.28 (got "%REQUESTED_SERVER_NAME%", expected a literal, environment or header tag); hint: target a release that has it, or remove tags.requested_server_name.formatter (source: istio/istio@1.29.0:releasenotes/notes/formatter-custom-tag.yaml)',
        '',
        '1.28 -> 1.29',
        '  synthesizes again at 1.29 (refused at 1.28)',
        '',
      ].join('\n'),
    );
  });
});

describe('plan refuses bad options with one line each', () => {
  it.each([
    [['--from', '1.22', '--to', '1.21', PLAN], '--to: got "1.21", expected a release after --from 1.22'],
    [
      ['--from', '1.16', '--to', '1.21', PLAN],
      '--from: got "1.16", expected a target this library implements, from "1.17" to "1.31"',
    ],
    [['--to', '1.21', PLAN], '--from: missing, expected an Istio release as X.Y or X.Y.Z'],
    [
      ['--from', '1.20', '--to', '1.21', '--config', 'observability.yaml', PLAN],
      '--config: a declaration or files, not both',
    ],
  ])('%j', async (argv, line) => {
    const { status, stdout, stderr } = await capture(runPlan, argv);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(line);
  });
});
