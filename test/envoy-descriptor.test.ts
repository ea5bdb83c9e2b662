import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBootstrap, ENVOY_DESCRIPTOR, envoyDescriptorText } from '../analysis/rules/envoy-bootstrap';

// The bootstrap check reads Envoy's types from a descriptor compiled from the protos
// (scripts/compile-envoy-descriptor.ts), so a synth does not parse .proto files.
describe("the Envoy types' descriptor", () => {
  it('is exactly what the installed protos compile to (npm run compile:envoy after an upgrade)', () => {
    expect(readFileSync(ENVOY_DESCRIPTOR, 'utf8')).toBe(envoyDescriptorText());
  });

  it('reads a type the same from it as from the protos, and a tracer type it lacks from the protos', () => {
    const zipkin = JSON.stringify({
      tracing: {
        http: {
          name: 'envoy.tracers.zipkin',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
            collector_cluster: 'zipkin',
            collector_endpoint: '/api/v2/spans',
            collector_endpoint_versionn: 'HTTP_JSON',
          },
        },
      },
    });
    const unknownField =
      'is not a valid envoy.config.bootstrap.v3.Bootstrap: envoy.config.trace.v3.ZipkinConfig: unknown field: "collector_endpoint_versionn" (at tracing.http.typed_config.collector_endpoint_versionn)';
    expect(checkBootstrap(zipkin).error).toBe(unknownField); // from the descriptor
    const datadog = JSON.stringify({
      tracing: {
        http: {
          name: 'envoy.tracers.datadog',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.config.trace.v3.DatadogConfig',
            collector_cluster: 'datadog',
            service_name: 'shop',
          },
        },
      },
    });
    expect(checkBootstrap(datadog)).toEqual({ nonCanonical: [] });
    expect(checkBootstrap(zipkin).error).toBe(unknownField); // from the protos, as before
  });
});
