import { RE2JS } from 're2js';
import { formatValue } from '../../errors';
import { problem } from '../../problems/problem';
import { IstioVersion } from '../../version/istio-version';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Proxy versions a regex for `version` must match: the release, its patches and dev builds. */
export function versionsOf(version: IstioVersion): string[] {
  const v = version.toString();
  return [v, `${v}.0`, `${v}.12`, `${v}-dev`, `${v}.1-beta.1`];
}

/** Proxy versions it must not match: versions that contain this one as a substring or a prefix, and neighbours. */
export function neighboursOf(version: IstioVersion): string[] {
  const { major, minor } = version;
  const digits = String(minor);
  const split = digits.length > 1 ? [`${major}.${digits[0]}.${digits.slice(1)}`] : [];
  return [
    `${major}.${minor}0`,
    `${major}.${minor}1.0`,
    ...split,
    `${major}.${minor - 1}.0`,
    `${major}.${minor + 1}.0`,
    `1${major}.${minor}.0`,
  ];
}

/** Versions no Istio release will have for decades (1.170, 1.171.0, 11.17.0): matching them is loose, not wrong today. */
function isUnreleased(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major >= 10 || minor >= 100;
}

/** What is wrong with a proxyVersion regex for one release, and how bad it is. */
export interface ProxyVersionCheck {
  readonly problem: string;
  /**
   * `error` when the regex misses the target or matches a released neighbour (the patch lands on
   * the wrong proxies, or on none); `warning` when it only also matches versions no release has
   * (the book's `^1\.17.*` matches 1.170): it works today and is worth tightening.
   */
  readonly severity: 'error' | 'warning';
}

/**
 * Why `regex` is not a proxyVersion match for exactly `version`, or undefined when it is.
 * Istio evaluates proxyVersion with RE2 (Go regexp), so the regex must compile in RE2 (re2js).
 */
export function checkProxyVersion(regex: string, version: IstioVersion): ProxyVersionCheck | undefined {
  let re: RE2JS;
  try {
    re = RE2JS.compile(regex);
  } catch (error) {
    return { problem: `is not an RE2 regular expression: ${(error as Error).message}`, severity: 'error' };
  }
  const matches = (v: string) => re.matcher(v).find();
  const missed = versionsOf(version).filter((v) => !matches(v));
  const wrong = neighboursOf(version).filter(matches);
  const parts = [
    ...(missed.length > 0 ? [`does not match ${missed.join(', ')}`] : []),
    ...(wrong.length > 0 ? [`also matches ${wrong.join(', ')}`] : []),
  ];
  if (parts.length === 0) return undefined;
  const loose = missed.length === 0 && wrong.every(isUnreleased);
  return { problem: parts.join(' and '), severity: loose ? 'warning' : 'error' };
}

/** {@link checkProxyVersion}'s problem alone. */
export function proxyVersionProblem(regex: string, version: IstioVersion): string | undefined {
  return checkProxyVersion(regex, version)?.problem;
}

interface EnvoyFilterSpec {
  readonly configPatches?: readonly { readonly match?: { readonly proxy?: { readonly proxyVersion?: unknown } } }[];
}

/** Stale or loose proxyVersion regexes make EnvoyFilters match nothing, or too much (istio/istio#43602, #37934). */
export const proxyVersionRegexRule: AppRule = {
  id: 'proxy-version-regex',
  summary:
    'Every EnvoyFilter proxyVersion compiles as RE2 and matches the target release (1.17, 1.17.8, 1.17-dev) but not its neighbours (1.1.7, 1.16, 1.18): a loose or stale regex silently applies to the wrong proxies or to none. One that also matches versions no release has (1.170) is a warning.',
  check(context: ValidationContext): RuleFinding[] {
    const versions = [...new Set(context.targets.map((m) => m.istioVersion))].flatMap(
      (v) => IstioVersion.tryParse(v) ?? [],
    );
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      if (manifest.kind !== 'EnvoyFilter' || !manifest.apiVersion.startsWith('networking.istio.io/')) continue;
      ((manifest.spec as EnvoyFilterSpec | undefined)?.configPatches ?? []).forEach((patch, i) => {
        const regex = patch.match?.proxy?.proxyVersion;
        if (regex === undefined) return;
        const field = ['spec', 'configPatches', i, 'match', 'proxy', 'proxyVersion'];
        for (const version of versions) {
          const check =
            typeof regex === 'string'
              ? checkProxyVersion(regex, version)
              : { problem: 'is not a string', severity: 'error' as const };
          if (!check) continue;
          findings.push({
            path,
            severity: check.severity,
            ...problem(field, regex, `a regex for Istio ${version} proxies only`, {
              what: check.problem,
              hint: `use ${formatValue(version.proxyVersionRegex())}`,
            }),
          });
        }
      });
    }
    return findings;
  },
};
