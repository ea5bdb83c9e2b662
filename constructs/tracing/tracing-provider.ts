import type { IConstruct } from 'constructs';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { MeshExtensionProvider } from '../overlays/istio-operator';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { PROMETHEUS_PROVIDER } from '../telemetry/mesh-telemetry';

/** A collector address split into host and port. */
export interface CollectorAddress {
  readonly host: string;
  readonly port: number;
}

/** `host:port` with a DNS host and a port from 1 to 65535, or undefined. */
export function parseCollectorAddress(address: string): CollectorAddress | undefined {
  const match = /^([^:]+):(\d+)$/.exec(typeof address === 'string' ? address : '');
  const host = match?.[1] ?? '';
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !isDnsSubdomain(host) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The refusal of an address that is not `host:port`, or undefined. */
export function addressProblem(address: string, example: string): Problem | undefined {
  if (parseCollectorAddress(address)) return undefined;
  return problem(['address'], address, `host:port with a DNS host and a port from 1 to 65535, e.g. "${example}"`);
}

/** Problems with a provider name and with an address an extension provider can name. */
export function providerProblems(provider: string, address: string, example: string): Problem[] {
  const problems: Problem[] = [];
  const malformed = addressProblem(address, example);
  if (malformed) {
    problems.push(malformed);
  } else if ((parseCollectorAddress(address)?.host ?? '').split('.').length < 2) {
    problems.push(
      problem(['address'], address, 'a Service host as "service.namespace" or a fully qualified name', {
        what: 'an extension provider names its Service by fully qualified hostname',
      }),
    );
  }
  const name = providerNameProblem(['provider'], provider);
  if (name) problems.push(name);
  return problems;
}

/** The refusal of an extension provider name, or undefined. */
export function providerNameProblem(field: FieldPath, name: string): Problem | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  return problem(field, name, 'a provider name of letters, digits, ".", "_" and "-"');
}

/**
 * The `service` of an extension provider: "a fully qualified host name of a service" (istio/api
 * mesh/v1alpha1/config.proto), so `service.namespace` gets `.svc.<clusterDomain>`; a longer host is
 * taken as already qualified (a Service FQDN or a ServiceEntry host).
 */
export function providerService(host: string, mesh: IstioMesh): string {
  return host.split('.').length === 2 ? `${host}.svc.${mesh.clusterDomain}` : host;
}

/**
 * Makes `provider` the tracer of `target`'s proxies (Telemetry API tracing): the
 * `meshConfig.extensionProviders` entry and the provider named in the target Telemetry's
 * `tracing[].providers` (for the mesh, the root namespace's Telemetry, which every proxy inherits).
 *
 * For the mesh it is also the default tracing provider where the release lets `defaultProviders`
 * be set without losing metrics (the policy's `meshDefaultProviders`): tracing alone on 1.17, whose
 * stats-filter-1.17 EnvoyFilters carry the metrics; not at all on 1.18 to 1.20, where setting it
 * re-renders those EnvoyFilters next to the Telemetry API (istio/istio#39772); with
 * `metrics: [prometheus]` from 1.21, since setting it drops the chart's own
 * `metrics: [prometheus]` default (istio/istio#51384).
 */
export function useTracingProvider(
  mesh: IstioMesh,
  contributor: IConstruct,
  target: ProxyTarget,
  provider: MeshExtensionProvider,
): void {
  mesh.install.addExtensionProvider(contributor, provider);
  if (target.kind === 'mesh') {
    switch (mesh.policy.mechanisms.meshDefaultProviders) {
      case 'tracing-only':
        mesh.install.setDefaultProviders(contributor, { tracing: [provider.name] });
        break;
      case 'never':
        break;
      case 'with-metrics':
        mesh.install.setDefaultProviders(contributor, { metrics: [PROMETHEUS_PROVIDER], tracing: [provider.name] });
        break;
    }
  }
  mesh.telemetry.addTracing(contributor, target, { provider: provider.name });
}
