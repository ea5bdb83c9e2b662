/**
 * The series an objective's rules record and its alerts, dashboard and REPORT.md read: written by
 * the emitters (constructs/backends/slo-rules.ts), read back from the output by the analysis
 * (analysis/review/alerts-report.ts). Each carries the labels `slo` and `sli`.
 */

/** The share of bad requests over `window`: `slo:sli_error:ratio_rate5m`. */
export function errorRatioSeries(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** `slo:sli_error:ratio_rate<window>` → `<window>`. */
export const ERROR_RATIO_SERIES = /^slo:sli_error:ratio_rate(\d+[mhd])$/;

/** Requests per second over 5 minutes, and those of them that are bad: the window ratio sums both. */
export const EVENTS_SERIES = 'slo:sli_events:rate5m';
export const BAD_EVENTS_SERIES = 'slo:sli_bad_events:rate5m';

/**
 * The objective as a ratio (`0.999`), labelled with what it measures (`measures`: `workload
 * shop/cart`) and, for latency, its threshold (`threshold_ms`).
 */
export const OBJECTIVE_SERIES = 'slo:objective:ratio';

/** The labels that tell an objective's indicator apart, and what its objective series adds. */
export const SLO_LABEL = 'slo';
export const SLI_LABEL = 'sli';
export const MEASURES_LABEL = 'measures';
export const THRESHOLD_LABEL = 'threshold_ms';
