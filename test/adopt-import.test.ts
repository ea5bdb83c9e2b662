import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { draftYaml, notExpressedLines } from '../app/adopt/config-yaml';
import { importInputSet } from '../app/adopt/import-config';
import { type InputSet, readInputSet } from '../app/adopt/input-set';
import { runImport } from '../cli/import';
import { checkRoundTrip } from '../cli/round-trip';
import { capture } from './support/capture';

/**
 * `import`, checked by its round trip: explain of the input equals explain of what adopting
 * synth(import(input)) applies, workload by workload, except what import listed as not expressed.
 * The corpus of Istio's own files is in adopt-corpus.test.ts.
 */
const UPDATE = process.env.UPDATE_GOLDENS === '1';
if (UPDATE && process.env.CI) {
  throw new Error('UPDATE_GOLDENS is refused in CI: goldens are updated by a developer and reviewed');
}
const BOOK = resolve(__dirname, '..', '..', 'shared', 'corpus', 'book-ch7-ch8');
const present = existsSync(BOOK);
const work = mkdtempSync(join(tmpdir(), 'adopt-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function read(paths: readonly string[], namespace: string): InputSet {
  const set = readInputSet(paths, namespace);
  if (!('objects' in set)) throw new Error(set.message);
  return set;
}

/** Imports the set and checks the round trip; what import listed, as its command prints it. */
async function roundTrip(paths: readonly string[], istioVersion: string, namespace: string) {
  const set = read(paths, namespace);
  const outFile = join(work, 'observability.yaml');
  const draft = importInputSet(set, { istioVersion, release: 'from --istio-version', outFile });
  const trip = await checkRoundTrip(set, draft, istioVersion, namespace, outFile);
  return { trip, listed: notExpressedLines(draft), draft };
}

/**
 * The book's chapter 7 and 8 YAML as the seeds walk through it: each set is what one section
 * applies together (a variant of webapp with the mesh config it needs).
 */
const BOOK_SETS: Readonly<Record<string, readonly string[]>> = {
  'stats inclusion (7.3)': ['ch7/webapp-deployment-stats-inclusion.yaml'],
  'new dimensions (7.4.1)': [
    'ch7/metrics/istio-operator-new-dimensions.yaml',
    'ch7/metrics/webapp-deployment-extrastats.yaml',
  ],
  'new metric (7.4.2)': ['ch7/metrics/istio-operator-new-metric.yaml', 'ch7/metrics/webapp-deployment-new-metric.yaml'],
  'new attribute (7.4.3)': [
    'ch7/metrics/attribute-gen.yaml',
    'ch7/metrics/istio-operator-new-attribute.yaml',
    'ch7/metrics/webapp-deployment-extrastats-new-attr.yaml',
  ],
  'Telemetry API metrics (7, v2)': [
    'ch7/metrics/v2/add-dimensions-telemetry.yaml',
    'ch7/metrics/v2/add-new-metric-telemetry.yaml',
    'ch7/webapp-deployment-stats-inclusion.yaml',
  ],
  'mesh ConfigMap and monitors (7.2)': ['ch7/istio-cm.yaml', 'ch7/pod-monitor-dp.yaml', 'ch7/service-monitor-cp.yaml'],
  'zipkin tracing (8.2)': ['ch8/install-istio-tracing-zipkin.yaml', 'ch8/webapp-deployment-zipkin.yaml'],
  'custom tag (8.3.2)': ['ch8/install-istio-tracing-zipkin.yaml', 'ch8/webapp-deployment-zipkin-tag.yaml'],
  'bootstrap override (8.3.3)': [
    'ch8/install-istio-tracing-zipkin.yaml',
    'ch8/webapp-deployment-custom-boot.yaml',
    'ch8/istio-custom-bootstrap.yaml',
  ],
  'other tracers (8.2)': ['ch8/install-istio-tracing-example.yaml', 'ch8/webapp-deployment-zipkin.yaml'],
  'Telemetry API tracing (8, v2)': [
    'ch8/tracing/v2/install-istio-tracing-zipkin.yaml',
    'ch8/tracing/v2/global-tracing.yaml',
    'ch8/tracing/v2/namespace-tracing.yaml',
    'ch8/webapp-deployment-zipkin.yaml',
    'ch8/kiali.yaml',
  ],
};

/** What import lists per book set, by the file and field it names (the reason is in the line). */
const BOOK_LISTED: Readonly<Record<string, readonly string[]>> = {
  'Telemetry API metrics (7, v2)': [
    'ch7/metrics/v2/add-new-metric-telemetry.yaml:1: conflict: Telemetry istioinaction/add-new-metric: istiod applies only the oldest namespace-wide Telemetry of istioinaction, Telemetry istioinaction/add-dimension-tags, and ignores this one, so it is not imported',
    "ch7/metrics/v2/add-dimensions-telemetry.yaml:8: not expressed: Telemetry istioinaction/add-dimension-tags spec.metrics[0]: the declaration customizes metrics with the Telemetry API from Istio 1.18, where istiod builds the stats filter (istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml); at 1.17 the install's stats-filter EnvoyFilters carry the metrics",
  ],
  'mesh ConfigMap and monitors (7.2)': [
    "ch7/istio-cm.yaml:3: not expressed: ConfigMap istio-system/istio data.mesh.accessLogFile: meshConfig's own access log becomes a Telemetry access log of the envoy provider (or a file provider) in the root namespace",
    'ch7/pod-monitor-dp.yaml:1: not expressed: PodMonitor prometheus/envoy-stats-monitor: a backend of yours: it stays as it is, and ours are off in the declaration',
    'ch7/service-monitor-cp.yaml:1: not expressed: ServiceMonitor prometheus/istio-component-monitor: a backend of yours: it stays as it is, and ours are off in the declaration',
  ],
  'other tracers (8.2)': [
    'ch8/install-istio-tracing-example.yaml:9: not expressed: IstioOperator istio-system/(unnamed) spec.meshConfig.defaultConfig.tracing.lightstep: a lightstep tracer in ProxyConfig has no declaration (zipkin only; OpenTelemetry through the Telemetry API)',
    'ch8/install-istio-tracing-example.yaml:11: not expressed: IstioOperator istio-system/(unnamed) spec.meshConfig.defaultConfig.tracing.datadog: a datadog tracer in ProxyConfig has no declaration (zipkin only; OpenTelemetry through the Telemetry API)',
    'ch8/install-istio-tracing-example.yaml:12: not expressed: IstioOperator istio-system/(unnamed) spec.meshConfig.defaultConfig.tracing.stackdriver: a stackdriver tracer in ProxyConfig has no declaration (zipkin only; OpenTelemetry through the Telemetry API)',
  ],
  'Telemetry API tracing (8, v2)': [
    'ch8/webapp-deployment-zipkin.yaml:16: not expressed: Deployment istioinaction/webapp spec.template.metadata.annotations["proxy.istio.io/config"].tracing.sampling: has no effect: a Telemetry that applies to istioinaction/Deployment/webapp configures its sampling, which wins over ProxyConfig',
    'ch8/webapp-deployment-zipkin.yaml:16: not expressed: Deployment istioinaction/webapp spec.template.metadata.annotations["proxy.istio.io/config"].tracing.zipkin: has no effect: a Telemetry that applies to istioinaction/Deployment/webapp configures its tracing, which wins over ProxyConfig',
    'ch8/kiali.yaml:1: not expressed: Kiali istio-system/kiali: a backend of yours: it stays as it is, and ours are off in the declaration',
  ],
};

describe.skipIf(!present)("import of the book's chapter 7 and 8 YAML (Istio 1.17)", () => {
  it.each(Object.entries(BOOK_SETS))('round-trips %s', async (name, files) => {
    const { trip, listed } = await roundTrip(
      files.map((f) => join(BOOK, f)),
      '1.17',
      'istioinaction',
    );
    expect(trip.differences).toEqual([]);
    expect(listed.map((line) => line.slice(`${BOOK}/`.length))).toEqual(BOOK_LISTED[name] ?? []);
  });
});

describe('import of a brownfield mesh (Istio 1.26, Helm)', () => {
  const input = 'test/adopt/brownfield';
  const golden = 'test/goldens/adopt/brownfield.observability.yaml';

  it('writes the reviewed declaration', () => {
    const set = read([input], 'default');
    const draft = importInputSet(set, {
      istioVersion: '1.26.8',
      release: 'from istiod Helm values global.tag',
      outFile: golden,
    });
    const text = draftYaml(draft, [`Imported from ${input} for Istio 1.26.8.`]);
    if (UPDATE) {
      mkdirSync('test/goldens/adopt', { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('round-trips, and says what it did not express', async () => {
    const out = join(work, 'brownfield.yaml');
    const { status, stdout, stderr } = await capture(runImport, ['--out', out, input]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe(
      [
        `wrote ${out}: 3 workloads, 2 statsInclusion, 2 metricDimensions, 3 traceSampling, 1 openTelemetryTracers, 1 customTraceTags, 3 accessLogging; 0 conflict(s), 2 not expressed:`,
        'test/adopt/brownfield/shop/deployments.yaml:13: not expressed: Deployment shop/cart spec.template.metadata.annotations["proxy.istio.io/config"]: its other ProxyConfig keys (holdApplicationUntilProxyStarts) are the workload team\'s; the patch keeps them, read from workloads.cart.manifest',
        'test/adopt/brownfield/shop/deployments.yaml:34: not expressed: Deployment shop/frontend spec.template.metadata.annotations["proxy.istio.io/config"].tracing.customTags: has no effect: a Telemetry that applies to shop/Deployment/frontend configures its custom tags, which wins over ProxyConfig',
        '',
        'checked: a synth of it applies the same settings as the input to each of 3 workload(s) and mesh-wide',
        '',
      ].join('\n'),
    );
  });
});

describe('import of an ambient mesh (Istio 1.26)', () => {
  it('declares the ambient namespace, its waypoint and the opted-out Service, and round-trips', async () => {
    const { trip, listed, draft } = await roundTrip(['test/adopt/ambient'], '1.26', 'default');
    expect(trip.differences).toEqual([]);
    expect(listed).toEqual([]);
    expect(draft.config.namespaces).toEqual({ orders: { dataplane: 'ambient', waypoint: 'orders-waypoint' } });
    expect(draft.config.waypoints).toEqual({ 'orders-waypoint': { namespace: 'orders' } });
    expect(draft.entries('workloads').inventory?.waypoint).toBe('none');
    // Bound to the waypoint's Gateway and to the workload's Service: their own targets.
    expect(draft.config.traceSampling).toEqual({
      'orders-waypoint-sampling': { target: { waypoint: 'orders-waypoint' }, percentage: 20 },
      'billing-sampling': { target: { workload: 'billing' }, percentage: 5 },
    });
    expect(draft.config.accessLogging).toEqual({
      'envoy-checkout': { target: { workload: 'checkout' }, filter: 'response.code >= 500' },
    });
    expect(draft.config.statsInclusion).toEqual({
      'orders-waypoint-stats-inclusion': {
        target: { waypoint: 'orders-waypoint' },
        inclusionPrefixes: ['cluster.inbound-vip|8080|http|checkout.orders'],
      },
    });
  });
});

describe('import of conflicting objects imports what Istio applies', () => {
  it('takes the oldest of two root-namespace Telemetry objects and reports the other', async () => {
    const dir = join(work, 'conflict');
    mkdirSync(dir, { recursive: true });
    const telemetry = (name: string, created: string, sampling: number) =>
      `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata:\n  name: ${name}\n  namespace: istio-system\n  creationTimestamp: "${created}"\nspec:\n  tracing:\n    - randomSamplingPercentage: ${sampling}\n`;
    writeFileSync(
      join(dir, 'dump.yaml'),
      `${telemetry('mesh-default', '2025-03-01T10:00:00Z', 20)}---\n${telemetry('a-newer-default', '2025-06-01T10:00:00Z', 90)}`,
    );
    const { trip, listed, draft } = await roundTrip([dir], '1.26', 'default');
    expect(trip.differences).toEqual([]);
    expect(draft.config.traceSampling).toEqual({ 'mesh-default-sampling': { target: 'mesh', percentage: 20 } });
    expect(listed).toEqual([
      `${join(dir, 'dump.yaml')}:11: conflict: Telemetry istio-system/a-newer-default: istiod applies only the oldest namespace-wide Telemetry of istio-system, Telemetry istio-system/mesh-default, and ignores this one, so it is not imported`,
    ]);
  });
});

describe('import refuses bad input with one line each, and writes nothing', () => {
  const fixture = (name: string, text: string) => {
    const file = join(work, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([
    [
      'a file that is not YAML',
      () => fixture('broken.yaml', 'kind: [\n'),
      (file: string) =>
        `${file}:2: error: not YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1: (yaml)`,
    ],
    [
      'a dump of a kind import does not read',
      () =>
        fixture(
          'secrets.yaml',
          'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: { name: a, namespace: shop }\n',
        ),
      (file: string) =>
        `${file}: error: holds only Secret, expected Istio objects (Telemetry, IstioOperator, the istio ConfigMap, istiod Helm values, a Sail Istio, EnvoyFilter, WasmPlugin) or workloads with pod templates`,
    ],
    [
      'an object whose fields the release lacks',
      () =>
        fixture(
          'targetrefs.yaml',
          'apiVersion: telemetry.istio.io/v1alpha1\nkind: Telemetry\nmetadata: { name: gw, namespace: shop }\nspec:\n  targetRefs: [{ kind: Gateway, group: gateway.networking.k8s.io, name: shop-gw }]\n',
        ),
      (file: string) =>
        `${file}:5: error: [Telemetry/shop/gw] spec.targetRefs: is not in the Telemetry CRD of Istio 1.21, only of Istio 1.22 and later (got [{"kind":"Gateway","group":"gateway.networking.k8s.io","name":"shop-gw"}]); hint: remove it, or target a release that has it (source: istio/istio@1.21.6:manifests/charts/base/crds/crd-all.gen.yaml) (field-availability)`,
    ],
  ])('%s', async (_, make, expected) => {
    const file = make();
    const out = join(work, 'never.yaml');
    const { status, stdout, stderr } = await capture(runImport, ['--istio-version', '1.21', '--out', out, file]);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${expected(file)}\n\nnothing written: the input is not valid at Istio 1.21\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('a release outside the supported range', async () => {
    const out = join(work, 'never.yaml');
    const { status, stderr } = await capture(runImport, [
      '--istio-version',
      '1.32',
      '--out',
      out,
      'test/adopt/brownfield',
    ]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      '--istio-version: got "1.32", expected a target this library implements, from "1.17" to "1.31"\n',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an existing file to write to', async () => {
    const out = fixture('observability.yaml', 'istioVersion: "1.26"\n');
    const { status, stderr } = await capture(runImport, ['--out', out, 'test/adopt/brownfield']);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `--out: ${out} exists; import never writes over a file (give another --out, or move it away)\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe('istioVersion: "1.26"\n');
  });
});
