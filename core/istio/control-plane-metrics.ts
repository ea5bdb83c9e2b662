/**
 * istiod's metrics that say its configuration does not reach the proxies. The names are the same
 * from 1.17 to 1.31: the move from OpenCensus to OpenTelemetry (1.19) exports them with
 * `WithoutUnits()` and `WithoutCounterSuffixes()`, so no `_total` is added
 * (istio/istio@1.19.0:pkg/monitoring/monitoring.go lines 59-61, the same at 1.31.0-rc.0).
 */
export const CONTROL_PLANE_METRICS = {
  /**
   * Configuration a proxy rejected (a NACK), by xDS `type` (istio/istio@1.17.0:pilot/pkg/xds/monitoring.go
   * line 63; istio/istio@1.31.0-rc.0:pkg/xds/monitoring.go line 68). A series appears with its first reject.
   */
  xdsRejects: 'pilot_total_xds_rejects',
  /**
   * Pushes istiod built or sent, by `type`; `<lds|rds|cds|eds>_senderr` count those it could not send
   * (istio/istio@1.31.0-rc.0:pilot/pkg/xds/monitoring.go lines 48-56).
   */
  xdsPushes: 'pilot_xds_pushes',
  /** The `type` values of failed sends. */
  sendErrorTypes: '.+_senderr',
  /** Pushes istiod could not build (istio/istio@1.31.0-rc.0:pkg/xds/monitoring.go line 34). */
  xdsInternalErrors: 'pilot_total_xds_internal_errors',
} as const;
