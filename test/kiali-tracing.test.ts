// Kiali reading traces from a backend this library does not generate (Tempo, a Jaeger of your own).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigFile, ObservabilityStack } from '../app/config';
import { formatFinding, validateApp } from '../app/validate';
import { testApp } from './support/app';

/** The Kiali CR's external_services.tracing, or the errors, for `backends.kiali.tracing` on a release. */
async function kialiTracing(istioVersion: string, tracing: string, extra = ''): Promise<unknown> {
  const file = ConfigFile.parse(
    'obs.yaml',
    [
      `istioVersion: "${istioVersion}"`,
      'namespace: shop',
      `backends: { kiali: { tracing: ${tracing} }${extra} }`,
      '',
    ].join('\n'),
  );
  const app = testApp();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  const errors = (await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding);
  if (errors.length > 0) return errors;
  const kiali = parseAllDocuments(app.synthYaml())
    .map((d) => d.toJS())
    .find((o) => o?.kind === 'Kiali');
  return kiali.spec.external_services.tracing;
}

const TEMPO =
  '{ provider: tempo, inClusterUrl: "http://tempo-query-frontend.tempo:3200", url: "https://tempo.example.com" }';

describe('backends.kiali.tracing', () => {
  it("fills Kiali 2's fields (Istio 1.24 and later)", async () => {
    expect(await kialiTracing('1.24', TEMPO)).toEqual({
      enabled: true,
      internal_url: 'http://tempo-query-frontend.tempo:3200',
      external_url: 'https://tempo.example.com',
      provider: 'tempo',
      use_grpc: false,
    });
  });

  it("fills Kiali 1's fields, with the provider from Kiali 1.75 (Istio 1.20's add-on)", async () => {
    expect(await kialiTracing('1.20', TEMPO)).toEqual({
      enabled: true,
      in_cluster_url: 'http://tempo-query-frontend.tempo:3200',
      url: 'https://tempo.example.com',
      provider: 'tempo',
      use_grpc: false,
    });
    expect(
      await kialiTracing(
        '1.19',
        '{ provider: jaeger, inClusterUrl: "http://jaeger-query.tracing:16685", useGrpc: true }',
      ),
    ).toEqual({ enabled: true, in_cluster_url: 'http://jaeger-query.tracing:16685', use_grpc: true });
  });

  it('refuses tempo on a Kiali that has no provider, and a tracing backend beside the generated Jaeger', async () => {
    expect(await kialiTracing('1.19', TEMPO)).toEqual([
      "obs.yaml:3:13 [observability-backends/backends/kiali] tracing.provider: needs Kiali 1.75 or later, and Istio 1.19's add-on is older (Istio 1.20's is 1.76) (got \"tempo\", expected jaeger: the Kiali of this release reads only the Jaeger query API); hint: point inClusterUrl at the backend's Jaeger query API (Tempo serves one) with provider: jaeger",
    ]);
    expect(await kialiTracing('1.24', TEMPO, ', jaeger: { storage: { memory: { maxTraces: 1000 } } }')).toEqual([
      'obs.yaml:3:13 [observability-backends/backends/kiali] tracing: names a tracing backend, and Kiali already reads the generated Jaeger (got {"provider":"tempo","inClusterUrl":"http://tempo-query-frontend.tempo:3200","url":"https://tempo.example.com"}, expected either the generated Jaeger or an external tracing backend)',
    ]);
  });
});
