import { problem } from '../errors';
import type { FieldPath } from '../problems/field-path';
import type { Problem } from '../problems/problem';

/**
 * The kinds of Envoy proxy the stats filter distinguishes (IstioOperator `configOverride` keys).
 */
export enum ProxyKind {
  /** Sidecars, for requests they receive (Telemetry `mode: SERVER`). */
  INBOUND_SIDECAR = 'inboundSidecar',
  /** Sidecars, for requests they send (Telemetry `mode: CLIENT`). */
  OUTBOUND_SIDECAR = 'outboundSidecar',
  /** Ingress and egress gateways. */
  GATEWAY = 'gateway',
}

export const ALL_PROXY_KINDS: readonly ProxyKind[] = [
  ProxyKind.INBOUND_SIDECAR,
  ProxyKind.OUTBOUND_SIDECAR,
  ProxyKind.GATEWAY,
];

/** Problems with a list of proxy kinds given by a user (unknown values, duplicates, empty list). */
export function proxyKindProblems(field: FieldPath, kinds: readonly ProxyKind[]): Problem[] {
  const problems: Problem[] = [];
  const known = ALL_PROXY_KINDS.join(', ');
  if (kinds.length === 0) problems.push(problem(field, kinds, `at least one of ${known}`));
  kinds.forEach((kind, i) => {
    if (!ALL_PROXY_KINDS.includes(kind)) {
      problems.push(problem([...field, i], kind, `one of ${known}`));
    } else if (kinds.indexOf(kind) !== i) {
      problems.push(problem([...field, i], kind, 'each proxy kind once', { what: 'is listed again' }));
    }
  });
  return problems;
}

/**
 * The Telemetry `WorkloadMode` that covers `proxies`, and the kinds it covers beyond them.
 * CLIENT selects outbound sidecar listeners and gateways, SERVER inbound sidecar listeners
 * (istiod treats gateway listeners as client-side; their metrics report `reporter=source`,
 * istio.io "Istio Standard Metrics"); no mode is CLIENT_AND_SERVER. On a workload target there are no gateway listeners,
 * so CLIENT widens nothing there.
 */
export function workloadModeFor(
  proxies: readonly ProxyKind[],
  onWorkload: boolean,
): { readonly mode?: 'CLIENT' | 'SERVER'; readonly widened: readonly ProxyKind[] } {
  const client = proxies.includes(ProxyKind.OUTBOUND_SIDECAR) || proxies.includes(ProxyKind.GATEWAY);
  const server = proxies.includes(ProxyKind.INBOUND_SIDECAR);
  const mode = client && server ? undefined : client ? 'CLIENT' : 'SERVER';
  const covered =
    mode === undefined
      ? ALL_PROXY_KINDS
      : mode === 'CLIENT'
        ? [ProxyKind.OUTBOUND_SIDECAR, ProxyKind.GATEWAY]
        : [ProxyKind.INBOUND_SIDECAR];
  const widened = covered.filter((kind) => !proxies.includes(kind) && !(onWorkload && kind === ProxyKind.GATEWAY));
  return { ...(mode ? { mode } : {}), widened };
}
