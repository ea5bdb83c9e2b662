import { RE2JS } from 're2js';
import { formatValue } from '../../core/errors';
import { problem } from '../../core/problems/problem';
import { IstioVersion } from '../../core/version/istio-version';
import { isEnvoyFilter } from '../../model/telemetry-objects';
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
  const re = compileProxyVersion(regex);
  return typeof re === 'string' ? { problem: re, severity: 'error' } : checkCompiled(re, version);
}

/** The regex compiled as RE2, or why it does not compile. */
function compileProxyVersion(regex: string): RE2JS | string {
  try {
    return RE2JS.compile(regex);
  } catch (error) {
    return `is not an RE2 regular expression: ${(error as Error).message}`;
  }
}

function checkCompiled(re: RE2JS, version: IstioVersion): ProxyVersionCheck | undefined {
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

/** The Istio 1.x releases a regex is checked against to tell which one it was written for. */
const KNOWN_MINORS = Array.from({ length: 41 }, (_, minor) => minor);

/**
 * The one release `regex` selects (its patches and dev builds, and no released neighbour), when
 * it is another than `target`: an EnvoyFilter written for that release's proxies.
 */
function otherReleaseSelected(regex: string, target: IstioVersion): IstioVersion | undefined {
  const re = compileProxyVersion(regex);
  if (typeof re === 'string') return undefined;
  const selected = KNOWN_MINORS.flatMap((minor) => {
    const version = IstioVersion.tryParse(`1.${minor}`);
    if (!version) return [];
    const check = checkCompiled(re, version);
    return check === undefined || check.severity === 'warning' ? [version] : [];
  });
  const [only] = selected;
  return selected.length === 1 && only && only.minor !== target.minor ? only : undefined;
}

interface EnvoyFilterSpec {
  readonly configPatches?: readonly { readonly match?: { readonly proxy?: { readonly proxyVersion?: unknown } } }[];
}

/** Stale or loose proxyVersion regexes make EnvoyFilters match nothing, or too much (istio/istio#43602, #37934). */
export const proxyVersionRegexRule: AppRule = {
  id: 'proxy-version-regex',
  scope: 'object',
  summary:
    'Every EnvoyFilter proxyVersion compiles as RE2 and matches the target release (1.17, 1.17.8, 1.17-dev) but not its neighbours (1.1.7, 1.16, 1.18): a loose regex silently applies to the wrong proxies or to none. One that also matches versions no release has (1.170) is a warning; one written for exactly the previous minor is fine (a control plane may run one minor ahead of its proxies), and one for another release applies to no proxy (a warning for the stats-filter-1.X EnvoyFilters of an older install, an error otherwise).',
  remediation: 'Anchor the proxyVersion regex to the target release, e.g. ^1\\\\.30([.-].*)?$.',
  kinds: ['EnvoyFilter'],
  severity: 'error',
  docs: 'docs/validation.md#proxy-version-regex',
  check(context: ValidationContext): RuleFinding[] {
    const versions = [...new Set(context.targets.map((m) => m.istioVersion))].flatMap(
      (v) => IstioVersion.tryParse(v) ?? [],
    );
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      if (!isEnvoyFilter(manifest)) continue;
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
          // A regex that misses the target may be written for another release's proxies (only then
          // are the other releases tried). The previous minor's run beside a control plane one
          // minor ahead, which Istio supports (istio.io "Supported Releases", control plane/data
          // plane skew), and its installer keeps their stats-filter-1.X EnvoyFilters; for older or
          // newer proxies, which this control plane does not serve, the patch is dead.
          const other =
            check.severity === 'error' && typeof regex === 'string' ? otherReleaseSelected(regex, version) : undefined;
          if (other) {
            if (other.minor === version.minor - 1) continue;
            // Istio's installer wrote one stats-filter-1.X per release: an install dump still has
            // the dead ones. Anyone else's patch for another release is a mistake.
            const installers = /^(tcp-)?stats-filter-1\.\d+$/.test(manifest.metadata.name ?? '');
            findings.push({
              path,
              severity: installers ? 'warning' : 'error',
              ...problem(field, regex, `a regex for the proxies of Istio ${version} or the minor before it`, {
                what: `selects only Istio ${other} proxies, which an Istio ${version} control plane does not serve: the patch applies to no proxy`,
                hint: `delete it, or use ${formatValue(version.proxyVersionRegex())} if it is meant for ${version}`,
              }),
            });
            continue;
          }
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
