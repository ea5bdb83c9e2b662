/**
 * An Istio minor release that the library targets, e.g. `1.17`.
 *
 * Patch releases do not change the telemetry mechanisms, so a target is a minor version;
 * `1.17.8` is accepted and normalised to `1.17`.
 */
export class IstioVersion {
  /** Parses `X.Y` or `X.Y.Z`; returns undefined for anything else. */
  static tryParse(text: string): IstioVersion | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text);
    if (!match) return undefined;
    return new IstioVersion(Number(match[1]), Number(match[2]));
  }

  private constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  /** `1.17` */
  toString(): string {
    return `${this.major}.${this.minor}`;
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
