import { RE2JS } from 're2js';
import { formatValue } from '../../errors';
import { IstioVersion } from '../../version/istio-version';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Proxy versions a regex for `version` must match: the release, its patches and dev builds. */
export function versionsOf(version: IstioVersion): string[] {
  const v = version.toString();
  return [v, `${v}.0`, `${v}.12`, `${v}-dev`, `${v}.1-beta.1`];
}

/** Proxy versions it must not match: versions that contain this one as a substring or a prefix, and neighbours. */
export function neighboursOf(version: IstioVersion): string[] {
  return [
    ...hypotheticalNeighboursOf(version).slice(0, 2),
    ...releasedNeighboursOf(version),
    ...hypotheticalNeighboursOf(version).slice(2),
  ];
}

/** Neighbours that are (or will soon be) real releases: a proxy of another release would take the patch. */
function releasedNeighboursOf(version: IstioVersion): string[] {
  const { major, minor } = version;
  const digits = String(minor);
  const split = digits.length > 1 ? [`${major}.${digits[0]}.${digits.slice(1)}`] : [];
  return [...split, `${major}.${minor - 1}.0`, `${major}.${minor + 1}.0`];
}

/** Neighbours no Istio release will be for decades (1.170, 11.17.0): matching them is loose, not wrong today. */
function hypotheticalNeighboursOf(version: IstioVersion): string[] {
  const { major, minor } = version;
  return [`${major}.${minor}0`, `${major}.${minor}1.0`, `1${major}.${minor}.0`];
}

/**
 * `error` when the regex misses the target or matches a released neighbour (the patch lands on the
 * wrong proxies, or on none); `warning` when it only also matches versions no release has (the
 * book's `^1\.17.*` matches 1.170): it works today and is worth tightening.
 */
export function proxyVersionSeverity(regex: string, version: IstioVersion): 'error' | 'warning' {
  let re: RE2JS;
  try {
    re = RE2JS.compile(regex);
  } catch {
    return 'error';
  }
  const matches = (v: string) => re.matcher(v).find();
  const exact = versionsOf(version).every(matches) && !releasedNeighboursOf(version).some(matches);
  return exact ? 'warning' : 'error';
}

/**
 * Why `regex` is not a proxyVersion match for exactly `version`, or undefined when it is.
 * Istio evaluates proxyVersion with RE2 (Go regexp), so the regex must compile in RE2 (re2js).
 */
export function proxyVersionProblem(regex: string, version: IstioVersion): string | undefined {
  let re: RE2JS;
  try {
    re = RE2JS.compile(regex);
  } catch (error) {
    return `is not an RE2 regular expression: ${(error as Error).message}`;
  }
  const matches = (v: string) => re.matcher(v).find();
  const missed = versionsOf(version).filter((v) => !matches(v));
  const wrong = neighboursOf(version).filter(matches);
  const parts = [
    ...(missed.length > 0 ? [`does not match ${missed.join(', ')}`] : []),
    ...(wrong.length > 0 ? [`also matches ${wrong.join(', ')}`] : []),
  ];
  return parts.length > 0 ? `${parts.join(' and ')}` : undefined;
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
        const field = `spec.configPatches[${i}].match.proxy.proxyVersion`;
        for (const version of versions) {
          const problem = typeof regex === 'string' ? proxyVersionProblem(regex, version) : 'is not a string';
          if (!problem) continue;
          findings.push({
            path,
            severity: typeof regex === 'string' ? proxyVersionSeverity(regex, version) : 'error',
            message: `${field}: ${problem} (got ${formatValue(regex)}, expected a regex for Istio ${version} proxies only)`,
            hint: `use ${formatValue(version.proxyVersionRegex())}`,
          });
        }
      });
    }
    return findings;
  },
};
