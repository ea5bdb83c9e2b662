import type { AttributeMatch } from '../attributes/attribute-gen';
import { ZipkinCollectorEndpointVersion, zipkinTracingOverride } from '../bootstrap/envoy-bootstrap';
import { MetricType } from '../metrics/metric-definition';
import { EnvoyStatName } from '../stats/envoy-stat-name';

/**
 * The telemetry values of *Istio in Action* chapters 7 and 8, as data. The default stack composes
 * them; the seed scenarios in test/ reproduce the book's manifests from them.
 */
export const BookRecipes = {
  /** ch7 stats inclusion: webapp's outbound cluster to catalog. */
  catalogClusterStats: EnvoyStatName.outboundCluster({ port: 80, host: 'catalog.istioinaction' }),

  /** ch7 dimensions added to requests_total (pre-1.24 CEL vocabulary). */
  requestDimensions: {
    upstream_proxy_version: 'upstream_peer.istio_version',
    source_mesh_id: "node.metadata['MESH_ID']",
  },

  /** ch7 label removed from requests_total. */
  removedRequestTags: ['request_protocol'],

  /** ch7 new metric `istio_get_calls`. */
  getCalls: { name: 'get_calls', type: MetricType.COUNTER, value: "(request.method.startsWith('GET') ? 1 : 0)" },

  /** ch7 attribute-gen: the catalog operation a request calls. */
  operationIdAttribute: 'istio_operationId',
  operationIdRules: [
    { value: 'getitems', condition: "request.url_path == '/items' && request.method == 'GET'" },
    { value: 'createitem', condition: "request.url_path == '/items' && request.method == 'POST'" },
    { value: 'deleteitem', condition: "request.url_path == '/items' && request.method == 'DELETE'" },
  ] as readonly AttributeMatch[],

  /** ch8 Zipkin-compatible collector: Jaeger's `zipkin` Service. */
  zipkinAddress: 'zipkin.istio-system:9411',

  /** ch8 `istio-custom-zipkin` bootstrap override. */
  zipkinBootstrap: zipkinTracingOverride({
    collectorCluster: 'zipkin',
    collectorEndpoint: '/zipkin/api/v1/spans',
    // The book writes "true" as a string, which Envoy's JSON parser accepts; ZipkinConfig.trace_id_128bit
    // is a proto bool, so the canonical form is a boolean. The v1 path is the book's: with HTTP_JSON it
    // loses every span (the zipkin-collector-path rule says so where this recipe is used).
    traceId128bit: true,
    collectorEndpointVersion: ZipkinCollectorEndpointVersion.HTTP_JSON,
  }),
} as const;
