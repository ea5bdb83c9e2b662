/**
 * An Istio release that the library targets: a minor release (`1.29`) and, once resolved by the
 * version policy, its patch (`1.29.6`).
 *
 * Most telemetry mechanisms change between minor releases, so `toString()` and the names derived
 * from it (`stats-filter-1.29`, messages) are the minor's. Some behaviour changed within a minor
 * (the peer's app label from 1.29.1, istio/proxy at the commit istio/istio@1.29.1 pins in
 * istio.deps: extensions/common/metadata_object.cc), so the policy compares patches too.
 */
export class IstioVersion {
  /**
   * Parses `X.Y` or `X.Y.Z`; returns undefined for anything else. The patch is kept when given
   * (`1.29.0`), and left undefined for `X.Y`, which the version policy resolves to the newest patch.
   */
  static tryParse(text: string): IstioVersion | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text);
    if (!match) return undefined;
    return new IstioVersion(Number(match[1]), Number(match[2]), match[3] === undefined ? undefined : Number(match[3]));
  }

  private constructor(
    readonly major: number,
    readonly minor: number,
    /** The patch release, when given or resolved. */
    readonly patch?: number,
  ) {}

  /** The same minor release at `patch`. */
  withPatch(patch: number): IstioVersion {
    return new IstioVersion(this.major, this.minor, patch);
  }

  /** `1.17`: the minor release. */
  toString(): string {
    return `${this.major}.${this.minor}`;
  }

  /** `1.17.8`: the release with its patch, or the minor where no patch is known. */
  get release(): string {
    return this.patch === undefined ? this.toString() : `${this.toString()}.${this.patch}`;
  }

  /**
   * The RE2 regex for an EnvoyFilter `match.proxy.proxyVersion` that matches exactly the proxies of
   * this minor release: `1.17`, `1.17.8`, `1.17-dev`, `1.17.0-beta.1`, but not `1.170` or `1.1.7`.
   *
   * The book's hand-written `^1\.16.*` also matches `1.160`–`1.169` (istio/istio#43602), so the
   * minor number must be followed by the end of the string, a `.` or a `-`.
   */
  proxyVersionRegex(): string {
    return `^${this.major}\\.${this.minor}([.-].*)?$`;
  }
}
