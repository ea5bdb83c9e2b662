import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExplain } from '../cli/explain';
import { capture } from './support/capture';

/**
 * `explain` over the book's chapter 8 and 7 webapp variants (../shared/corpus/book-ch7-ch8, Istio
 * 1.17), the brownfield set, and folders synth wrote, whose REPORT.md it must agree with.
 */
const BOOK = resolve(__dirname, '..', '..', 'shared', 'corpus', 'book-ch7-ch8');
const present = existsSync(BOOK);
const book = (file: string) => join(BOOK, file);
const BROWNFIELD = resolve(__dirname, 'adopt', 'brownfield');

/** The lines of one workload's block in explain's text. */
function block(stdout: string, workload: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(workload));
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe.skipIf(!present)("explain of the book's webapp variants", () => {
  const explain = (...files: string[]) =>
    capture(runExplain, ['--istio-version', '1.17', '--workload', 'istioinaction/webapp', ...files.map(book)]);

  it('reads sampling 10 and the zipkin tracer from webapp-deployment-zipkin.yaml', async () => {
    const { status, stdout } = await explain('ch8/webapp-deployment-zipkin.yaml');
    expect(status).toBe(0);
    expect(block(stdout, 'istioinaction/Deployment/webapp')).toEqual([
      '  sampling: 10%',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
      '  tracer: zipkin zipkin.istio-system:9411',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
    ]);
  });

  it('reads sampling 100 and the custom tag from webapp-deployment-zipkin-tag.yaml', async () => {
    const { stdout } = await explain('ch8/webapp-deployment-zipkin-tag.yaml');
    expect(block(stdout, 'istioinaction/Deployment/webapp')).toEqual([
      '  sampling: 100%',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
      '  custom tags: custom_tag = literal Test Tag',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
      '  tracer: zipkin zipkin.istio-system:9411',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
    ]);
  });

  it('reads the bootstrap override of webapp-deployment-custom-boot.yaml from istio-custom-bootstrap.yaml', async () => {
    const { stdout } = await explain('ch8/webapp-deployment-custom-boot.yaml', 'ch8/istio-custom-bootstrap.yaml');
    expect(block(stdout, 'istioinaction/Deployment/webapp').slice(4)).toEqual([
      '  bootstrap override: ConfigMap istio-custom-zipkin: tracer envoy.tracers.zipkin to cluster zipkin /zipkin/api/v1/spans',
      '      from pod annotation sidecar.istio.io/bootstrapOverride, takes effect after a restart',
    ]);
  });

  it('reads the stats inclusion of webapp-deployment-stats-inclusion.yaml', async () => {
    const { stdout } = await explain('ch7/webapp-deployment-stats-inclusion.yaml');
    expect(stdout).toBe(
      [
        'Istio 1.17 (from --istio-version); 1 file(s)',
        '',
        `istioinaction/Deployment/webapp (${book('ch7/webapp-deployment-stats-inclusion.yaml')}:2)`,
        '  stats inclusion: prefixes cluster.outbound|80||catalog.istioinaction',
        '      from pod annotation proxy.istio.io/config, takes effect on rollout',
        '',
      ].join('\n'),
    );
  });

  it('reports two variants of one Deployment as a conflict, and explains each on its own', async () => {
    const files = ['ch8/webapp-deployment-zipkin.yaml', 'ch7/webapp-deployment-stats-inclusion.yaml'].map(book);
    const { status, stdout } = await capture(runExplain, [
      '--istio-version',
      '1.17',
      '--namespace',
      'istioinaction',
      ...files,
    ]);
    expect(status).toBe(1);
    expect(stdout).toContain(
      `conflict: istioinaction/Deployment/webapp is declared 2 times (${files[0]}:2, ${files[1]}:2): each variant is explained on its own, not merged; kubectl apply keeps the last one applied`,
    );
    // Neither variant gets the other's settings.
    const blocks = stdout.split('\n\n').filter((b) => b.startsWith('istioinaction/Deployment/webapp'));
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('sampling: 10%');
    expect(blocks[0]).not.toContain('stats inclusion');
    expect(blocks[1]).toContain('stats inclusion: prefixes cluster.outbound|80||catalog.istioinaction');
    expect(blocks[1]).not.toContain('sampling');
    expect(stdout).toContain('(unique-objects)');
  });
});

describe('explain of a brownfield mesh', () => {
  it('takes the release from the Helm values and shows overlapping Telemetry with the order istiod applies', async () => {
    const { status, stdout } = await capture(runExplain, ['--workload', 'shop/cart', BROWNFIELD]);
    expect(status).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Istio 1.26.8 (from istiod Helm values global.tag); 6 file(s)');
    expect(block(stdout, 'shop/Deployment/cart')).toEqual([
      '  overlapping Telemetry: Telemetry shop/cart-host, Telemetry shop/cart-sampling select its pods; applied by creation time then name: Telemetry shop/cart-host, Telemetry shop/cart-sampling',
      '  stats inclusion: regexps .*circuit_breakers.*',
      '      from pod annotation proxy.istio.io/config, takes effect on rollout',
      '      overrides prefixes cluster.outbound|5432||postgres.payments (istiod Helm values meshConfig.defaultConfig)',
      '  dimensions: REQUEST_COUNT (SERVER): +request_host',
      '      from Telemetry shop/cart-host, takes effect by xDS push',
      '  dimensions: REQUEST_COUNT (CLIENT_AND_SERVER): -request_protocol',
      '      from Telemetry istio-system/mesh-default, takes effect by xDS push',
      '  sampling: 50%',
      '      from Telemetry shop/cart-sampling, takes effect by xDS push',
      '      overrides 10% (Telemetry shop/shop-defaults)',
      '      overrides 5% (Telemetry istio-system/mesh-default)',
      "      overrides 1% (istiod Helm values pilot.traceSampling (istiod's default, PILOT_TRACE_SAMPLING))",
      '  custom tags: cluster = literal prod-eu-1',
      '      from Telemetry istio-system/mesh-default, takes effect by xDS push',
      '  tracer: provider otel',
      '      from istiod Helm values meshConfig.defaultProviders, takes effect by xDS push',
      '  access log: provider json-log, when response.code >= 500',
      '      from Telemetry shop/shop-defaults, takes effect by xDS push',
      "  warning: spec.template.metadata.labels: selects pods that Telemetry shop/cart-host, Telemetry shop/cart-sampling all select: istiod merges them oldest first, by creation time then name, so where they set the same field Telemetry shop/cart-sampling wins (istio/istio@1.26.8:pilot/pkg/model/telemetry.go lines 456-487; Istio's analyzer reports IST0159) (telemetry-conflicts)",
    ]);
  });

  it('gives the same data as JSON', async () => {
    const { stdout } = await capture(runExplain, ['--format', 'json', '--workload', 'payments/ledger', BROWNFIELD]);
    const json = JSON.parse(stdout) as {
      istioVersion: string;
      workloads: { workload: string; settings: { piece: string; value: string; source: string }[] }[];
    };
    expect(json.istioVersion).toBe('1.26.8');
    expect(json.workloads.map((w) => w.workload)).toEqual(['payments/StatefulSet/ledger']);
    expect(json.workloads[0]?.settings.find((s) => s.piece === 'access log')).toEqual({
      piece: 'access log',
      value: 'off',
      source: 'Telemetry payments/ledger-quiet',
      takesEffect: 'xds-push',
      overrides: [{ value: 'provider envoy', source: 'Telemetry payments/payments-defaults', takesEffect: 'xds-push' }],
    });
  });
});

describe('explain of an ambient mesh', () => {
  it('says what ztunnel and the waypoint give each workload, and from which objects', async () => {
    const { stdout } = await capture(runExplain, ['--istio-version', '1.26', 'test/adopt/ambient']);
    expect(block(stdout, 'orders/Deployment/checkout')).toEqual([
      '  ambient: Namespace orders label istio.io/dataplane-mode; ztunnel reports its connections (L4)',
      '  waypoint: Gateway orders/orders-waypoint (Namespace orders label istio.io/use-waypoint) applies:',
      '  stats inclusion: prefixes cluster.inbound-vip|8080|http|checkout.orders',
      '      from Gateway orders/orders-waypoint spec.infrastructure.annotations, takes effect on rollout',
      '  sampling: 20%',
      '      from Telemetry orders/orders-waypoint, takes effect by xDS push',
      '  access log: provider envoy, when response.code >= 500',
      '      from Telemetry orders/checkout-errors, takes effect by xDS push',
    ]);
    expect(block(stdout, 'orders/Deployment/inventory')).toEqual([
      '  ambient: Namespace orders label istio.io/dataplane-mode; ztunnel reports its connections (L4)',
      '  no waypoint (Service orders/inventory label istio.io/use-waypoint: none): no L7 setting reaches it, nothing reports its requests',
    ]);
  });
});

describe('explain agrees with the REPORT.md synth wrote', () => {
  /** REPORT.md's sections for the cluster, without the series estimate explain does not make. */
  const reportSections = (report: string) =>
    report.slice(report.indexOf('\n### Mesh-wide'), report.indexOf('\n\n### Prometheus series'));
  const explained = (markdown: string) =>
    markdown.slice(
      markdown.indexOf('\n### Mesh-wide'),
      markdown.indexOf('\n\n### Findings') >= 0 ? markdown.indexOf('\n\n### Findings') : markdown.length - 1,
    );

  it.each([
    // Folders whose workloads are built by the app: a folder of patches alone has none to explain.
    ['the default stack', 'dist', '1.17'],
    ['examples/istio-1.30', 'examples/istio-1.30', '1.30'],
  ])('for %s', async (_, folder, istioVersion) => {
    const { stdout } = await capture(runExplain, ['--format', 'markdown', '--istio-version', istioVersion, folder]);
    expect(explained(stdout)).toBe(reportSections(readFileSync(join(folder, 'REPORT.md'), 'utf8')));
  });
});

describe('explain refuses bad input with one line each', () => {
  it('a file that is not YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explain-'));
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(file, 'kind: Telemetry\nmetadata: {name: [\n');
      const { status, stderr, stdout } = await capture(runExplain, [file]);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        [
          `${file}:3: error: not YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1: (yaml)`,
          `${file}:3: error: not YAML: Flow map in block collection must be sufficiently indented and end with a } at line 3, column 1: (yaml)`,
          '',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a release outside the supported range', async () => {
    const { status, stderr } = await capture(runExplain, ['--istio-version', '1.16', BROWNFIELD]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      '--istio-version: got "1.16", expected a target this library implements, from "1.17" to "1.31"\n',
    );
  });

  it('a workload the input does not have', async () => {
    const { status, stderr } = await capture(runExplain, ['--workload', 'shop/checkout', BROWNFIELD]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      '--workload: got "shop/checkout", expected a meshed workload of the input: payments/StatefulSet/ledger, shop/Deployment/cart, shop/Deployment/frontend\n',
    );
  });
});
