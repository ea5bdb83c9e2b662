/**
 * The Envoy minor release each Istio minor's proxy is built on. Read through the pins: istio/istio
 * `istio.deps` at the tag names the istio/proxy commit, whose `WORKSPACE` pins `ENVOY_SHA` on
 * Envoy's `release/v1.NN` branch (the one the istio/proxy release branch tracks). The first and the
 * newest patch of every minor agree, e.g. istio/istio@1.17.8 → istio/proxy@e1222b56 → Envoy
 * e208fc2a (release/v1.25); @1.24.0 → istio/proxy@739644f8 → Envoy 75d1643e (release/v1.32);
 * @1.31.0-rc.0 → istio/proxy@99b15325 → Envoy 9d21c4ce (release/v1.39). istio.io's "Supported
 * releases" page lists the same pairs.
 */
export const ENVOY_MINOR_OF_ISTIO: Readonly<Record<string, number>> = {
  '1.17': 25,
  '1.18': 26,
  '1.19': 27,
  '1.20': 28,
  '1.21': 29,
  '1.22': 30,
  '1.23': 31,
  '1.24': 32,
  '1.25': 33,
  '1.26': 34,
  '1.27': 35,
  '1.28': 36,
  '1.29': 37,
  '1.30': 38,
  '1.31': 39,
};

/** The first Istio minor whose proxy runs Envoy 1.<envoyMinor> or later, e.g. `1.24` for Envoy 1.32. */
export function firstIstioWithEnvoy(envoyMinor: number): string | undefined {
  return Object.entries(ENVOY_MINOR_OF_ISTIO).find(([, envoy]) => envoy >= envoyMinor)?.[0];
}
