/**
 * The bucket boundaries of the proxies' histograms (`istio_request_duration_milliseconds`, the
 * byte-size histograms), in milliseconds for the durations. Istio's bootstrap sets no
 * `histogram_bucket_settings` unless a pod asks with `sidecar.istio.io/statsHistogramBuckets`
 * (istio/istio@1.31.0-rc.0:tools/packaging/common/envoy_bootstrap.json lines 156-158), so Envoy's
 * defaults apply to sidecars and waypoints alike (envoyproxy/envoy@35db8c47:source/common/stats/
 * histogram_impl.cc `HistogramSettingsImpl::defaultBuckets`, the list istio/api@1.19.0:
 * annotation/annotations.yaml quotes for the annotation).
 */
export const ENVOY_DEFAULT_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/**
 * The pod annotation that replaces the default buckets of stats under a prefix, as JSON
 * `{"<prefix>": [bounds...]}` (istio/api@1.30.3:annotation/annotations.yaml). The standard
 * metrics live under Istio's custom stat namespace, `istiocustom`
 * (istio/proxy@1.24.0:source/extensions/filters/http/istio_stats/istio_stats.cc line 70).
 */
export const STATS_HISTOGRAM_BUCKETS_ANNOTATION = 'sidecar.istio.io/statsHistogramBuckets';
export const ISTIO_STATS_PREFIX = 'istiocustom';

/** The stat the standard duration histogram is kept under, before Prometheus drops the namespace. */
const DURATION_STAT = `${ISTIO_STATS_PREFIX}.istio_request_duration_milliseconds`;

/**
 * The boundaries a workload's proxies use for the standard duration histogram: those its own
 * manifest's annotation declares for a prefix of the stat, else Envoy's defaults. istiod sorts the
 * annotation's prefixes (istio/istio@1.30.3:pkg/bootstrap/config.go lines 294-304) and Envoy applies
 * the first rule that matches, so the shortest matching prefix wins. `undefined` annotation text
 * means none; text that is not such JSON is returned as an error message.
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
  const [prefix] = Object.keys(parsed)
    .filter((p) => DURATION_STAT.startsWith(p))
    .sort();
  if (prefix === undefined) return ENVOY_DEFAULT_BUCKETS;
  const bounds = (parsed as Record<string, unknown>)[prefix];
  if (!Array.isArray(bounds) || !bounds.every((b) => typeof b === 'number' && b > 0)) {
    return `${STATS_HISTOGRAM_BUCKETS_ANNOTATION} ${prefix} is not a list of positive numbers`;
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
  const exponent = Math.floor(Math.log10(bound));
  if (exponent < -4 || exponent >= 32) {
    const [mantissa, power] = bound.toExponential(31).split('e') as [string, string];
    const sign = power.startsWith('-') ? '-' : '+';
    return `${mantissa.replace(/\.?0+$/, '')}e${sign}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  const text = bound.toFixed(Math.max(0, 31 - exponent));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
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
