/**
 * The bucket boundaries of the proxies' histograms (`istio_request_duration_milliseconds`, the
 * byte-size histograms), in milliseconds for the durations. Istio's bootstrap sets no
 * `histogram_bucket_settings` unless a pod asks with `sidecar.istio.io/statsHistogramBuckets`
 * (istio/istio@1.31.0-rc.0:tools/packaging/common/envoy_bootstrap.json), so Envoy's defaults apply
 * to sidecars and waypoints alike (envoyproxy/envoy source/common/stats/histogram_impl.cc
 * `HistogramSettingsImpl::defaultBuckets`).
 */
export const ENVOY_DEFAULT_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/**
 * The pod annotation that replaces the default buckets of stats under a prefix, as JSON
 * `{"<prefix>": [bounds...]}` (istio/api@1.31.0-rc.0:annotation/annotations.yaml). The standard
 * metrics live under Istio's custom stat namespace, `istiocustom`.
 */
export const STATS_HISTOGRAM_BUCKETS_ANNOTATION = 'sidecar.istio.io/statsHistogramBuckets';
export const ISTIO_STATS_PREFIX = 'istiocustom';

/**
 * The boundaries a workload's proxies use for the standard histograms: those its own manifest
 * declares for `istiocustom` (or a prefix of it), else Envoy's defaults. `undefined` annotation
 * text means none; text that is not such JSON is returned as an error message.
 */
export function histogramBuckets(annotation: string | undefined): readonly number[] | string {
  if (annotation === undefined) return ENVOY_DEFAULT_BUCKETS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return `${STATS_HISTOGRAM_BUCKETS_ANNOTATION} is not JSON`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `${STATS_HISTOGRAM_BUCKETS_ANNOTATION} is not a JSON object of prefixes`;
  }
  // Envoy applies the first matching rule: the longest prefix of `istiocustom.` that is declared.
  const prefixes = Object.keys(parsed)
    .filter((p) => `${ISTIO_STATS_PREFIX}.`.startsWith(p) && p.length > 0)
    .sort((a, b) => b.length - a.length);
  const bounds = prefixes.length > 0 ? (parsed as Record<string, unknown>)[prefixes[0] as string] : undefined;
  if (bounds === undefined) return ENVOY_DEFAULT_BUCKETS;
  if (!Array.isArray(bounds) || !bounds.every((b) => typeof b === 'number' && b > 0)) {
    return `${STATS_HISTOGRAM_BUCKETS_ANNOTATION} ${prefixes[0]} is not a list of positive numbers`;
  }
  return [...new Set(bounds as number[])].sort((a, b) => a - b);
}

/** The boundaries just below and just above `value`, for a refusal's hint. */
export function nearestBoundaries(value: number, bounds: readonly number[]): number[] {
  const below = bounds.filter((b) => b < value).at(-1);
  const above = bounds.find((b) => b > value);
  return [below, above].filter((b): b is number => b !== undefined);
}

/**
 * A matcher for a boundary's `le` label. Envoy writes bounds with `{:.32g}` (`le="250"`,
 * `le="3600000"`, a custom 0.1 as `le="0.10000000000000000555111512312578"`; envoyproxy/envoy
 * source/server/admin/prometheus_stats.cc), and Prometheus 3 normalizes a classic histogram's `le`
 * to Go's shortest float form (`250.0`, `3.6e+06`, `0.1`; prometheus/prometheus v3.0.0 release
 * notes), so every spelling is matched.
 */
export function leMatcher(bound: number): string {
  const spellings = new Set([envoySpelling(bound), goShortest(bound)]);
  const list = [...spellings];
  return list.length === 1
    ? `le="${list[0]}"`
    : `le=~"${list.map((s) => s.replace(/[.+]/g, (c) => `\\\\${c}`)).join('|')}"`;
}

/** C's `%.32g`: 32 significant digits, trailing zeros dropped, an exponent below 1e-4 or from 1e32. */
function envoySpelling(bound: number): string {
  const text = bound.toPrecision(32);
  return text.includes('e') || !text.includes('.') ? text : text.replace(/\.?0+$/, '');
}

/** Go's `strconv.FormatFloat(v, 'g', -1, 64)` (an exponent below 1e-4 or from 1e6), with `.0` added when it has neither point nor exponent, as Prometheus 3 normalizes `le`. */
function goShortest(bound: number): string {
  const exponent = Math.floor(Math.log10(bound));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = bound.toExponential().split('e') as [string, string];
    const sign = power.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  const text = String(bound);
  return text.includes('.') ? text : `${text}.0`;
}
