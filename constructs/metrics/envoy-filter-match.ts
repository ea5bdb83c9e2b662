import { ProxyKind } from '../../core/istio/proxy-kind';
import {
  type EnvoyFilterSpecConfigPatchesMatch,
  EnvoyFilterSpecConfigPatchesMatchContext,
} from '../../imports/networking.istio.io';

/** The EnvoyFilter `match.context` selecting the listeners of each proxy kind. */
const MATCH_CONTEXT: Readonly<Record<ProxyKind, EnvoyFilterSpecConfigPatchesMatchContext>> = {
  [ProxyKind.INBOUND_SIDECAR]: EnvoyFilterSpecConfigPatchesMatchContext.SIDECAR_UNDERSCORE_INBOUND,
  [ProxyKind.OUTBOUND_SIDECAR]: EnvoyFilterSpecConfigPatchesMatchContext.SIDECAR_UNDERSCORE_OUTBOUND,
  [ProxyKind.GATEWAY]: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY,
};
const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';

/**
 * An EnvoyFilter `match` for the HTTP filter `subFilter` of one proxy kind's HTTP connection
 * managers, on the proxies of one release only (`proxyVersion`, an RE2 regex).
 */
export function httpFilterMatch(
  proxy: ProxyKind,
  subFilter: string,
  proxyVersion: string,
): EnvoyFilterSpecConfigPatchesMatch {
  return {
    context: MATCH_CONTEXT[proxy],
    listener: { filterChain: { filter: { name: HTTP_CONNECTION_MANAGER, subFilter: { name: subFilter } } } },
    proxy: { proxyVersion },
  };
}
