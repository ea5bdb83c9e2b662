import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { telemetryReport } from '../analysis/review/telemetry-report';
import { VersionPolicy } from '../core/version/version-policy';
import type { Manifest, RenderedObject } from '../model/objects';
import { TelemetryIndex, telemetryPrecedence } from '../model/telemetry-precedence';
import { lintText } from './support/fixtures';

/**
 * Bookinfo's reviews: one Telemetry for every version's pods (10%) and one for v3's (50%). Both
 * select reviews-v3's pods; istiod merges them oldest first, by creation time then name
 * (istio/istio@1.26.8:pilot/pkg/model/telemetry.go), so reviews-v3's own 50% applies.
 */
const REVIEWS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-v3, namespace: bookinfo }
spec:
  selector: { matchLabels: { app: reviews, version: v3 } }
  template:
    metadata: { labels: { app: reviews, version: v3 } }
    spec: { containers: [{ name: reviews, image: docker.io/istio/examples-bookinfo-reviews-v3:1.20.2 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-v1, namespace: bookinfo }
spec:
  selector: { matchLabels: { app: reviews, version: v1 } }
  template:
    metadata: { labels: { app: reviews, version: v1 } }
    spec: { containers: [{ name: reviews, image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.2 }] }
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: reviews, namespace: bookinfo }
spec:
  selector: { matchLabels: { app: reviews } }
  tracing: [{ randomSamplingPercentage: 10 }]
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: reviews-v3, namespace: bookinfo }
spec:
  selector: { matchLabels: { app: reviews, version: v3 } }
  tracing: [{ randomSamplingPercentage: 50 }]
`;

function objectsOf(text: string): RenderedObject[] {
  return parseAllDocuments(text).map((d, i) => ({ path: `object-${i}`, manifest: d.toJS() as Manifest }));
}

/** The lines of REPORT.md about one workload, from its heading to the next. */
function section(report: string, workload: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(`### \`${workload}\``);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('### '));
  return lines.slice(start + 1, end).filter((l) => l !== '');
}

describe("Istio's Telemetry precedence", () => {
  it("applies reviews-v3's own Telemetry to its pods, with a warning naming both (1.20 and later)", () => {
    const report = telemetryReport([{ istioVersion: '1.26', objects: objectsOf(REVIEWS) }]);
    expect(section(report, 'bookinfo/Deployment/reviews-v3')).toEqual([
      '**Warning:** Telemetry bookinfo/reviews, Telemetry bookinfo/reviews-v3 all select its pods; istiod merges them oldest first (by creation time then name), so where they set the same field Telemetry bookinfo/reviews-v3 wins (istio/istio@1.26.8:pilot/pkg/model/telemetry.go).',
      '| telemetry | applies | from | overrides | when |',
      '| --- | --- | --- | --- | --- |',
      '| sampling | 50% | Telemetry bookinfo/reviews-v3 | 10% (Telemetry bookinfo/reviews) | xDS push |',
      // No provider anywhere: istiod turns tracing off for these proxies (pilot/pkg/model/telemetry.go Tracing).
      '| tracer | off (a Telemetry configures tracing and names no provider, nor does defaultProviders.tracing) | Telemetry bookinfo/reviews-v3 |  | xDS push |',
      "Sampling 50% decides only for requests that arrive without a sampling decision: a request from a meshed caller keeps the caller's, so traffic from callers at 10% is traced at about 10% here.",
    ]);
    expect(section(report, 'bookinfo/Deployment/reviews-v1')).toEqual([
      '| telemetry | applies | from | overrides | when |',
      '| --- | --- | --- | --- | --- |',
      '| sampling | 10% | Telemetry bookinfo/reviews |  | xDS push |',
      '| tracer | off (a Telemetry configures tracing and names no provider, nor does defaultProviders.tracing) | Telemetry bookinfo/reviews |  | xDS push |',
    ]);
  });

  it('applies only the oldest before 1.20, which then broke ties by "name.namespace"', () => {
    // "reviews-v3.bookinfo" sorts before "reviews.bookinfo" ('-' before '.'): on 1.19 it is the oldest.
    const report = telemetryReport([{ istioVersion: '1.19', objects: objectsOf(REVIEWS) }]);
    expect(section(report, 'bookinfo/Deployment/reviews-v3').slice(0, 4)).toEqual([
      '**Warning:** Telemetry bookinfo/reviews-v3, Telemetry bookinfo/reviews all select its pods; this release applies only the oldest (by creation time then "name.namespace"), Telemetry bookinfo/reviews-v3, and ignores the others for it (istio/istio@1.26.8:pilot/pkg/model/telemetry.go).',
      '| telemetry | applies | from | overrides | when |',
      '| --- | --- | --- | --- | --- |',
      '| sampling | 50% | Telemetry bookinfo/reviews-v3 |  | xDS push |',
    ]);
  });

  it('orders by creation time before name, as objects read back from a cluster have one', () => {
    const created = REVIEWS.replace(
      'metadata: { name: reviews, namespace: bookinfo }',
      'metadata: { name: reviews, namespace: bookinfo, creationTimestamp: "2026-03-02T10:00:00Z" }',
    ).replace(
      'metadata: { name: reviews-v3, namespace: bookinfo }\nspec:\n  selector: { matchLabels: { app: reviews, version: v3 } }\n  tracing',
      'metadata: { name: reviews-v3, namespace: bookinfo, creationTimestamp: "2026-03-01T10:00:00Z" }\nspec:\n  selector: { matchLabels: { app: reviews, version: v3 } }\n  tracing',
    );
    const pod = { namespace: 'bookinfo', labels: { app: 'reviews', version: 'v3' } };
    const at = (version: string) => {
      const policy = VersionPolicy.resolve(version) as VersionPolicy;
      return new TelemetryIndex(objectsOf(created), 'istio-system', telemetryPrecedence(policy)).appliedTo(pod);
    };
    expect(at('1.26').workload.map((p) => p.name)).toEqual(['reviews-v3', 'reviews']);
    expect(at('1.19').workload.map((p) => p.name)).toEqual(['reviews-v3']);
  });

  it('warns at the workload whose pods two Telemetry objects select, naming the one that wins', async () => {
    expect(await lintText(REVIEWS, '1.26', { rule: 'telemetry-conflicts' })).toEqual([
      "8: warning: [Deployment/bookinfo/reviews-v3] spec.template.metadata.labels: selects pods that Telemetry bookinfo/reviews, Telemetry bookinfo/reviews-v3 all select: istiod merges them oldest first, by creation time then name, so where they set the same field Telemetry bookinfo/reviews-v3 wins (istio/istio@1.26.8:pilot/pkg/model/telemetry.go lines 456-487; Istio's analyzer reports IST0159); hint: give each workload one Telemetry, or make the selectors disjoint (telemetry-conflicts)",
    ]);
    expect(await lintText(REVIEWS, '1.19', { rule: 'telemetry-conflicts' })).toEqual([
      '8: warning: [Deployment/bookinfo/reviews-v3] spec.template.metadata.labels: selects pods that Telemetry bookinfo/reviews-v3, Telemetry bookinfo/reviews all select: before Istio 1.20 istiod applies only the oldest, by creation time then "name.namespace", Telemetry bookinfo/reviews-v3, and ignores the others for these pods (istio/istio@1.19.0:pilot/pkg/model/telemetry.go line 455); hint: give each workload one Telemetry, or make the selectors disjoint (telemetry-conflicts)',
    ]);
  });

  it('refuses a second Telemetry without a selector in a namespace: istiod ignores it entirely', async () => {
    const text = ['b-later', 'a-first']
      .map(
        (name) =>
          `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  tracing: [{ randomSamplingPercentage: 5 }]\n`,
      )
      .join('---\n');
    expect(await lintText(text, '1.26', { rule: 'telemetry-conflicts' })).toEqual([
      '4: error: [Telemetry/shop/b-later] spec: is one of 2 Telemetry objects without a selector or targetRef in namespace "shop" (Telemetry shop/a-first, Telemetry shop/b-later): istiod applies only the oldest, by creation time then name, Telemetry shop/a-first, and ignores this one entirely (istio/istio@1.26.8:pilot/pkg/model/telemetry.go lines 672-679; Istio\'s analyzer reports IST0160); hint: merge it into Telemetry shop/a-first, or give it a selector (telemetry-conflicts)',
    ]);
  });

  it('names a provider no mesh config defines: an error beside a mesh config, a warning alone', async () => {
    const telemetry =
      'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: mesh-default, namespace: istio-system }\nspec:\n  tracing: [{ providers: [{ name: jaeger }] }]\n';
    const mesh =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio, namespace: istio-system }\ndata:\n  mesh: |\n    extensionProviders: [{ name: zipkin, zipkin: { service: zipkin.istio-system.svc.cluster.local, port: 9411 } }]\n';
    expect(await lintText(telemetry, '1.26', { rule: 'telemetry-conflicts' })).toEqual([
      '5: warning: [Telemetry/istio-system/mesh-default] spec.tracing[0].providers[0].name: names provider "jaeger", which no mesh config in these files defines: it must be in the mesh\'s extensionProviders (Istio\'s own are prometheus, stackdriver, envoy), or istiod skips it; hint: define "jaeger" in meshConfig.extensionProviders, or name a provider the mesh has (telemetry-conflicts)',
    ]);
    expect(await lintText(`${telemetry}---\n${mesh}`, '1.26', { rule: 'telemetry-conflicts' })).toEqual([
      '5: error: [Telemetry/istio-system/mesh-default] spec.tracing[0].providers[0].name: names provider "jaeger", which no mesh config applied with it defines (its extensionProviders, or Istio\'s prometheus, stackdriver, envoy): istiod skips it, so these proxies get none of this tracing (istio/istio@1.26.8:pilot/pkg/model/telemetry.go lines 266-269); hint: define "jaeger" in meshConfig.extensionProviders, or name a provider the mesh has (telemetry-conflicts)',
    ]);
    expect(await lintText(telemetry, '1.26', { rule: 'telemetry-conflicts', complete: true })).toHaveLength(1);
    expect(
      await lintText(`${telemetry.replace('jaeger', 'zipkin')}---\n${mesh}`, '1.26', { rule: 'telemetry-conflicts' }),
    ).toEqual([]);
  });

  it('breaks same-instant ties as each release does: by name.namespace before 1.23, by name from 1.23', async () => {
    const text = ['mesh', 'mesh-default']
      .map(
        (name) =>
          `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  tracing: [{ randomSamplingPercentage: 5 }]\n`,
      )
      .join('---\n');
    const ignored = async (version: string) =>
      (await lintText(text, version, { rule: 'telemetry-conflicts' })).map(
        (f) => /\[Telemetry\/shop\/([\w-]+)\]/.exec(f)?.[1],
      );
    // "mesh-default.shop" < "mesh.shop" ('-' before '.'): 1.22 applies mesh-default, ignores mesh.
    expect(await ignored('1.22')).toEqual(['mesh']);
    expect(await ignored('1.26')).toEqual(['mesh-default']);
  });

  it('counts a Telemetry with only a targetRef as namespace-wide before 1.24, as istiod did', async () => {
    const text = [
      'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: a-namespace, namespace: shop }\nspec:\n  tracing: [{ randomSamplingPercentage: 5 }]\n',
      'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: b-gateway, namespace: shop }\nspec:\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: shop-gateway }]\n  tracing: [{ randomSamplingPercentage: 50 }]\n',
    ].join('---\n');
    const found = async (version: string) => (await lintText(text, version, { rule: 'telemetry-conflicts' })).length;
    expect(await found('1.22')).toBe(1);
    expect(await found('1.26')).toBe(0);
    const gatewayPod = { namespace: 'shop', labels: { 'gateway.networking.k8s.io/gateway-name': 'shop-gateway' } };
    const index = new TelemetryIndex(objectsOf(text), 'istio-system');
    expect(index.appliedTo(gatewayPod).workload.map((p) => p.name)).toEqual(['b-gateway']);
    expect(index.appliedTo(gatewayPod).namespace?.name).toBe('a-namespace');
  });
});
