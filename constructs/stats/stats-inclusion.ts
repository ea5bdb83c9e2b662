import { Construct } from 'constructs';
import { RE2JS } from 're2js';
import { problem } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';

export interface StatsInclusionProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies that report the extra stats: the whole mesh, or one workload (recommended). */
  readonly target: ProxyTarget;
  /**
   * Stat name prefixes to report, e.g. from {@link EnvoyStatName.outboundCluster}.
   * @default - none
   */
  readonly inclusionPrefixes?: readonly string[];
  /**
   * Stat name suffixes to report, e.g. `upstream_rq_timeout`.
   * @default - none
   */
  readonly inclusionSuffixes?: readonly string[];
  /**
   * RE2 regexes matched against full stat names.
   * @default - none
   */
  readonly inclusionRegexps?: readonly string[];
}

/**
 * Makes Envoy report stats beyond Istio's default set (ProxyConfig `proxyStatsMatcher`).
 *
 * Mesh-wide inclusion multiplies every proxy's series and can overload Prometheus; per-workload
 * inclusion is the book's recommendation. It is a bootstrap setting: pods must restart (istio/istio#22311).
 */
export class StatsInclusion extends Construct {
  readonly mesh: IstioMesh;
  /** The stat-name prefixes, suffixes and regexps this construct asks Envoy to report. */
  readonly inclusion: {
    readonly inclusionPrefixes: readonly string[];
    readonly inclusionSuffixes: readonly string[];
    readonly inclusionRegexps: readonly string[];
  };

  constructor(scope: Construct, id: string, props: StatsInclusionProps) {
    super(scope, id);
    this.mesh = props.mesh;
    const lists = {
      inclusionPrefixes: props.inclusionPrefixes ?? [],
      inclusionSuffixes: props.inclusionSuffixes ?? [],
      inclusionRegexps: props.inclusionRegexps ?? [],
    };
    const problems: Problem[] = [];
    for (const [field, values] of Object.entries(lists)) {
      values.forEach((value, i) => {
        if (typeof value !== 'string' || value.trim() === '')
          problems.push(problem([field, i], value, 'a non-empty string'));
        else if (values.indexOf(value) !== i) problems.push(problem([field, i], value, 'each entry once'));
      });
    }
    // Envoy matches stats with RE2 (envoy.type.matcher.v3.RegexMatcher, google_re2), not JavaScript
    // regexes: a lookahead is refused there, a POSIX class accepted.
    lists.inclusionRegexps.forEach((regex, i) => {
      try {
        RE2JS.compile(regex);
      } catch (error) {
        problems.push(
          problem(['inclusionRegexps', i], regex, `an RE2 regular expression (${(error as Error).message})`),
        );
      }
    });
    if (Object.values(lists).every((values) => values.length === 0)) {
      problems.push(
        problem([{ keys: ['inclusionPrefixes', 'inclusionSuffixes', 'inclusionRegexps'] }], [], 'at least one entry'),
      );
    }
    this.inclusion = lists;
    if (refuseInput(this, problems)) return;
    const matcher = Object.fromEntries(Object.entries(lists).filter(([, values]) => values.length > 0));
    props.target.contribute(props.mesh, this, { proxyStatsMatcher: matcher });
  }
}
