// The generated backends' pods meet the Pod Security Standards' "restricted" profile, whatever the
// release's Jaeger (v1 all-in-one or v2) and storage.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { IstioMesh, Jaeger, JaegerStorage } from '../constructs';
import { restrictedViolations } from './support/pod-security';

type Json = Record<string, unknown>;

function jaegerPodSpec(istioVersion: string, storage: JaegerStorage): Json {
  const app = Testing.app();
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
