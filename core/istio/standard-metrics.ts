/**
 * Istio's standard metrics by base name, as the stats filter knows them
 * (`istio_stats.cc` `all_metrics_`, istio/proxy release-1.30:source/extensions/filters/http/istio_stats/istio_stats.cc). Prometheus exports each as `istio_<name>`.
 */
export enum StandardMetric {
  REQUESTS_TOTAL = 'requests_total',
  REQUEST_DURATION_MILLISECONDS = 'request_duration_milliseconds',
  REQUEST_BYTES = 'request_bytes',
  RESPONSE_BYTES = 'response_bytes',
  REQUEST_MESSAGES_TOTAL = 'request_messages_total',
  RESPONSE_MESSAGES_TOTAL = 'response_messages_total',
  TCP_CONNECTIONS_OPENED_TOTAL = 'tcp_connections_opened_total',
  TCP_CONNECTIONS_CLOSED_TOTAL = 'tcp_connections_closed_total',
  TCP_SENT_BYTES_TOTAL = 'tcp_sent_bytes_total',
  TCP_RECEIVED_BYTES_TOTAL = 'tcp_received_bytes_total',
}

export const STANDARD_METRIC_NAMES: readonly string[] = Object.values(StandardMetric);

/** Labels of the standard metrics (istio.io "Istio Standard Metrics"); `tags_to_remove` may name these. */
export const STANDARD_LABELS: readonly string[] = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_canonical_service',
  'source_canonical_revision',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
];

/** The Telemetry API `IstioMetric` of each standard metric (`metricToPrometheusMetric`, istio/proxy release-1.30:source/extensions/filters/http/istio_stats/istio_stats.cc). */
export const TELEMETRY_METRIC: Readonly<Record<StandardMetric, string>> = {
  [StandardMetric.REQUESTS_TOTAL]: 'REQUEST_COUNT',
  [StandardMetric.REQUEST_DURATION_MILLISECONDS]: 'REQUEST_DURATION',
  [StandardMetric.REQUEST_BYTES]: 'REQUEST_SIZE',
  [StandardMetric.RESPONSE_BYTES]: 'RESPONSE_SIZE',
  [StandardMetric.REQUEST_MESSAGES_TOTAL]: 'GRPC_REQUEST_MESSAGES',
  [StandardMetric.RESPONSE_MESSAGES_TOTAL]: 'GRPC_RESPONSE_MESSAGES',
  [StandardMetric.TCP_CONNECTIONS_OPENED_TOTAL]: 'TCP_OPENED_CONNECTIONS',
  [StandardMetric.TCP_CONNECTIONS_CLOSED_TOTAL]: 'TCP_CLOSED_CONNECTIONS',
  [StandardMetric.TCP_SENT_BYTES_TOTAL]: 'TCP_SENT_BYTES',
  [StandardMetric.TCP_RECEIVED_BYTES_TOTAL]: 'TCP_RECEIVED_BYTES',
};
