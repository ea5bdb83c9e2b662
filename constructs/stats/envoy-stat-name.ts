import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { describeProblem, type Problem } from '../../core/problems/problem';

export interface ClusterStatProps {
  /** Service port, e.g. 80. */
  readonly port: number;
  /** Service host as Istio names the cluster, e.g. `catalog.istioinaction` or a full `*.svc.cluster.local` name. */
  readonly host: string;
  /**
   * DestinationRule subset, e.g. `v1`.
   * @default - no subset
   */
  readonly subset?: string;
}

/**
 * Builds Envoy stat names and prefixes for `proxyStatsMatcher`, so that users do not assemble
 * Istio's `direction|port|subset|host` cluster names by hand.
 *
 * Istio names clusters `outbound|<port>|<subset>|<host>` and `inbound|<port>||`; Envoy prefixes
 * their stats with `cluster.`.
 */
export const EnvoyStatName = {
  /** Stats of the outbound cluster to a service: `cluster.outbound|80||catalog.istioinaction`. */
  outboundCluster(props: ClusterStatProps): string {
    const problems = clusterProblems(props);
    if (problems.length > 0)
      throw new Error(`EnvoyStatName.outboundCluster: ${problems.map(describeProblem).join('; ')}`);
    return `cluster.outbound|${props.port}|${props.subset ?? ''}|${props.host}`;
  },

  /** Stats of the inbound cluster for a workload port: `cluster.inbound|8080||`. */
  inboundCluster(port: number): string {
    const problems = portProblems(port);
    if (problems.length > 0)
      throw new Error(`EnvoyStatName.inboundCluster: ${problems.map(describeProblem).join('; ')}`);
    return `cluster.inbound|${port}||`;
  },
} as const;

function portProblems(port: number): Problem[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : [problem(['port'], port, 'an integer from 1 to 65535')];
}

function clusterProblems(props: ClusterStatProps): Problem[] {
  const problems = portProblems(props.port);
  if (!isDnsSubdomain(props.host))
    problems.push(problem(['host'], props.host, 'a DNS name such as "catalog.istioinaction"'));
  if (props.subset !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(props.subset)) {
    problems.push(problem(['subset'], props.subset, 'a DestinationRule subset name'));
  }
  return problems;
}
