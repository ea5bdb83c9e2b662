// The generated backends' pods meet the Pod Security Standards' "restricted" profile, whatever the
// release's Jaeger (v1 all-in-one or v2) and storage.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { IstioMesh, Jaeger, JaegerStorage } from '../constructs';
import { testApp } from './support/app';
import { restrictedViolations } from './support/pod-security';

type Json = Record<string, unknown>;

function jaegerPodSpec(istioVersion: string, storage: JaegerStorage): Json {
  const app = testApp();
  const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', { istioVersion });
  const chart = new Chart(app, 'backends');
  new Jaeger(chart, 'jaeger', { mesh, storage });
  const deployment = Testing.synth(chart).find((o: Json) => o.kind === 'Deployment') as Json;
  return ((deployment.spec as Json).template as Json).spec as Json;
}

describe('the restricted Pod Security profile', () => {
  it.each([
    ['1.17', 'memory', JaegerStorage.memory({ maxTraces: 1000 })],
    ['1.22', 'badger on an emptyDir', JaegerStorage.badgerOnEmptyDir()],
    ['1.30', 'badger on a claim (Jaeger v2)', JaegerStorage.badgerOnClaim('jaeger-data')],
  ])('holds for Jaeger on Istio %s with %s', (istioVersion, _storage, storage) => {
    expect(restrictedViolations(jaegerPodSpec(istioVersion, storage))).toEqual([]);
  });

  it("is checked, not assumed: the add-on's own pod spec fails it", () => {
    // istio/istio@1.30.3:samples/addons/jaeger.yaml runs the container with no security context.
    expect(restrictedViolations({ containers: [{ name: 'jaeger', image: 'jaegertracing/jaeger:2.14.0' }] })).toEqual([
      'jaeger: allowPrivilegeEscalation is not false',
      'jaeger: capabilities do not drop ALL',
      'jaeger: runAsNonRoot is not true',
      'jaeger: seccompProfile is unset',
    ]);
  });
});

describe("Jaeger's NetworkPolicy", () => {
  const policyOf = (props: Partial<ConstructorParameters<typeof Jaeger>[2]> = {}) => {
    const app = testApp();
    const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
      istioVersion: '1.30',
    });
    const chart = new Chart(app, 'backends');
    new Jaeger(chart, 'jaeger', { mesh, storage: JaegerStorage.memory({ maxTraces: 1000 }), ...props });
    return Testing.synth(chart).find((o: Json) => o.kind === 'NetworkPolicy') as Json | undefined;
  };

  it("admits the mesh's proxies to the collectors (OTLP too with Jaeger v2), the query clients to the query ports, Prometheus to the metrics port", () => {
    const selectors = (labels: Record<string, string>) => ({
      namespaceSelector: {},
      podSelector: { matchLabels: labels },
    });
    const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'TCP' }));
    expect(policyOf({ networkPolicy: { queryClients: [{ app: 'grafana' }] } })?.spec).toEqual({
      podSelector: { matchLabels: { app: 'jaeger' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            selectors({ 'security.istio.io/tlsMode': 'istio' }),
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } },
          ],
          ports: tcp(9411, 14250, 14268, 4317, 4318),
        },
        { from: [selectors({ app: 'grafana' })], ports: tcp(16685, 16686) },
        { from: [selectors({ 'app.kubernetes.io/name': 'prometheus' })], ports: tcp(8888) },
      ],
    });
  });

  it('is left out when asked', () => {
    expect(policyOf({ networkPolicy: false })).toBeUndefined();
  });
});

describe("Jaeger's image", () => {
  it('can be pinned by digest (the add-ons pin none), keeping the generation the name tells', () => {
    const app = testApp();
    const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
      istioVersion: '1.30',
    });
    const image = `docker.io/jaegertracing/jaeger@sha256:${'a'.repeat(64)}`;
    const jaeger = new Jaeger(new Chart(app, 'backends'), 'jaeger', {
      mesh,
      storage: JaegerStorage.memory({ maxTraces: 1000 }),
      image,
    });
    expect(jaeger.generation).toBe('v2');
    const deployment = Testing.synth(Chart.of(jaeger)).find((o: Json) => o.kind === 'Deployment') as Json;
    const pod = ((deployment.spec as Json).template as Json).spec as Json;
    expect((pod.containers as Json[])[0]?.image).toBe(image);
  });
});
