import { Construct } from 'constructs';
import { problem, throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import { isDnsSubdomain } from '../names';
import type { ProxyTarget } from '../proxy-config/proxy-target';

export interface ZipkinTracerProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies that report spans: the whole mesh, or one workload. */
  readonly target: ProxyTarget;
  /** Collector address as `host:port`, e.g. `zipkin.istio-system:9411` (Jaeger accepts Zipkin spans). */
  readonly address: string;
}

/**
 * Sends spans to a Zipkin-compatible collector (ProxyConfig `tracing.zipkin.address`).
 * Istio renders it into the Envoy bootstrap, so pods must restart to pick it up (facts A.9).
 */
export class ZipkinTracer extends Construct {
  readonly address: string;

  constructor(scope: Construct, id: string, props: ZipkinTracerProps) {
    super(scope, id);
    throwIfProblems(this, addressProblems('address', props.address));
    this.address = props.address;
    switch (props.mesh.policy.mechanisms.tracingConfiguration) {
      case 'proxy-config':
        props.target.contribute(props.mesh, this, { tracing: { zipkin: { address: props.address } } });
        return;
    }
  }
}

function addressProblems(field: string, address: string): string[] {
  const match = /^([^:]+):(\d+)$/.exec(address ?? '');
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !isDnsSubdomain(match[1] ?? '') || port < 1 || port > 65535) {
    return [
      problem(field, address, 'host:port with a DNS host and a port from 1 to 65535, e.g. "zipkin.istio-system:9411"'),
    ];
  }
  return [];
}
