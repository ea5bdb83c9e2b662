import type { FieldPath } from '../problems/field-path';
import { nearestNames } from '../problems/nearest';
import { type Problem, problem } from '../problems/problem';

/**
 * Envoy's access log command operators (`%NAME%`, `%NAME(param)%`, `%NAME(param):length%`), as its
 * formatter parses them (envoyproxy/envoy source/common/formatter/stream_info_formatter.cc and
 * http_specific_formatter.cc; envoyproxy.io "Access logging: Command operators"), plus the three
 * formatter extensions istiod enables when a format uses them: CEL, METADATA and REQ_WITHOUT_QUERY
 * (istio/istio@1.30.3:pilot/pkg/model/telemetry_logging.go). `param`: whether the operator takes a
 * parameter (`required`, `optional`) or none. Envoy refuses a format naming anything else, and
 * istiod then drops the listener's access log.
 */
export const ENVOY_COMMAND_OPERATORS: Readonly<Record<string, 'required' | 'optional' | 'none'>> = {
  // Requests, responses and their headers
  REQ: 'required',
  RESP: 'required',
  TRAILER: 'required',
  REQ_WITHOUT_QUERY: 'required',
  QUERY_PARAM: 'required',
  PATH: 'optional',
  PROTOCOL: 'none',
  UPSTREAM_PROTOCOL: 'none',
  RESPONSE_CODE: 'none',
  RESPONSE_CODE_DETAILS: 'optional',
  RESPONSE_FLAGS: 'none',
  RESPONSE_FLAGS_LONG: 'none',
  CUSTOM_FLAGS: 'none',
  GRPC_STATUS: 'optional',
  GRPC_STATUS_NUMBER: 'none',
  LOCAL_REPLY_BODY: 'none',
  ACCESS_LOG_TYPE: 'none',
  CONNECTION_TERMINATION_DETAILS: 'none',
  ROUTE_NAME: 'none',
  VIRTUAL_CLUSTER_NAME: 'none',
  STREAM_ID: 'none',
  UNIQUE_ID: 'none',
  TRACE_ID: 'none',
  HOSTNAME: 'none',
  FILTER_CHAIN_NAME: 'none',
  REQUESTED_SERVER_NAME: 'none',
  ENVIRONMENT: 'required',
  // Times and durations
  START_TIME: 'optional',
  START_TIME_LOCAL: 'optional',
  EMIT_TIME: 'optional',
  EMIT_TIME_LOCAL: 'optional',
  SYSTEM_TIME: 'optional',
  DURATION: 'none',
  COMMON_DURATION: 'required',
  REQUEST_DURATION: 'none',
  REQUEST_TX_DURATION: 'none',
  RESPONSE_DURATION: 'none',
  RESPONSE_TX_DURATION: 'none',
  DOWNSTREAM_HANDSHAKE_DURATION: 'none',
  ROUNDTRIP_DURATION: 'none',
  UPSTREAM_CONNECTION_POOL_READY_DURATION: 'none',
  // Bytes
  BYTES_RECEIVED: 'none',
  BYTES_SENT: 'none',
  BYTES_RETRANSMITTED: 'none',
  PACKETS_RETRANSMITTED: 'none',
  REQUEST_HEADERS_BYTES: 'none',
  RESPONSE_HEADERS_BYTES: 'none',
  RESPONSE_TRAILERS_BYTES: 'none',
  UPSTREAM_WIRE_BYTES_SENT: 'none',
  UPSTREAM_WIRE_BYTES_RECEIVED: 'none',
  UPSTREAM_HEADER_BYTES_SENT: 'none',
  UPSTREAM_HEADER_BYTES_RECEIVED: 'none',
  DOWNSTREAM_WIRE_BYTES_SENT: 'none',
  DOWNSTREAM_WIRE_BYTES_RECEIVED: 'none',
  DOWNSTREAM_HEADER_BYTES_SENT: 'none',
  DOWNSTREAM_HEADER_BYTES_RECEIVED: 'none',
  // Upstream
  UPSTREAM_HOST: 'none',
  UPSTREAM_HOST_NAME: 'none',
  UPSTREAM_HOST_NAME_WITHOUT_PORT: 'none',
  UPSTREAM_CLUSTER: 'none',
  UPSTREAM_CLUSTER_RAW: 'none',
  UPSTREAM_CONNECTION_ID: 'none',
  UPSTREAM_LOCAL_ADDRESS: 'none',
  UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: 'none',
  UPSTREAM_LOCAL_PORT: 'none',
  UPSTREAM_REMOTE_ADDRESS: 'none',
  UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: 'none',
  UPSTREAM_REMOTE_PORT: 'none',
  UPSTREAM_REQUEST_ATTEMPT_COUNT: 'none',
  UPSTREAM_TRANSPORT_FAILURE_REASON: 'none',
  UPSTREAM_TLS_CIPHER: 'none',
  UPSTREAM_TLS_VERSION: 'none',
  UPSTREAM_TLS_SESSION_ID: 'none',
  UPSTREAM_PEER_ISSUER: 'none',
  UPSTREAM_PEER_CERT: 'none',
  UPSTREAM_PEER_SUBJECT: 'none',
  UPSTREAM_PEER_URI_SAN: 'none',
  UPSTREAM_PEER_DNS_SAN: 'none',
  UPSTREAM_PEER_IP_SAN: 'none',
  UPSTREAM_PEER_CERT_V_START: 'optional',
  UPSTREAM_PEER_CERT_V_END: 'optional',
  UPSTREAM_LOCAL_URI_SAN: 'none',
  UPSTREAM_LOCAL_DNS_SAN: 'none',
  UPSTREAM_LOCAL_IP_SAN: 'none',
  UPSTREAM_LOCAL_SUBJECT: 'none',
  UPSTREAM_FILTER_STATE: 'required',
  UPSTREAM_METADATA: 'required',
  // Downstream
  CONNECTION_ID: 'none',
  DOWNSTREAM_LOCAL_ADDRESS: 'none',
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: 'none',
  DOWNSTREAM_LOCAL_PORT: 'none',
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS: 'none',
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT: 'none',
  DOWNSTREAM_DIRECT_LOCAL_PORT: 'none',
  DOWNSTREAM_REMOTE_ADDRESS: 'none',
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: 'none',
  DOWNSTREAM_REMOTE_PORT: 'none',
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: 'none',
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: 'none',
  DOWNSTREAM_DIRECT_REMOTE_PORT: 'none',
  DOWNSTREAM_LOCAL_URI_SAN: 'none',
  DOWNSTREAM_LOCAL_DNS_SAN: 'none',
  DOWNSTREAM_LOCAL_IP_SAN: 'none',
  DOWNSTREAM_LOCAL_SUBJECT: 'none',
  DOWNSTREAM_PEER_URI_SAN: 'none',
  DOWNSTREAM_PEER_DNS_SAN: 'none',
  DOWNSTREAM_PEER_IP_SAN: 'none',
  DOWNSTREAM_PEER_SUBJECT: 'none',
  DOWNSTREAM_PEER_ISSUER: 'none',
  DOWNSTREAM_PEER_SERIAL: 'none',
  DOWNSTREAM_PEER_FINGERPRINT_1: 'none',
  DOWNSTREAM_PEER_FINGERPRINT_256: 'none',
  DOWNSTREAM_PEER_CERT: 'none',
  DOWNSTREAM_PEER_CERT_V_START: 'optional',
  DOWNSTREAM_PEER_CERT_V_END: 'optional',
  DOWNSTREAM_PEER_CHAIN: 'none',
  DOWNSTREAM_TLS_CIPHER: 'none',
  DOWNSTREAM_TLS_VERSION: 'none',
  DOWNSTREAM_TLS_SESSION_ID: 'none',
  DOWNSTREAM_TRANSPORT_FAILURE_REASON: 'none',
  // Metadata, filter state, CEL
  DYNAMIC_METADATA: 'required',
  CLUSTER_METADATA: 'required',
  FILTER_STATE: 'required',
  METADATA: 'required',
  CEL: 'required',
};

/** `%NAME%`, `%NAME(param)%` or `%NAME(param):length%`, matched at a `%` of a format string. */
const OPERATOR = /^%([A-Z][A-Z0-9_]*)(?:\(((?:[^()]|\([^()]*\))*)\))?(?::(\d+))?%/;

/**
 * Problems of an Envoy format string at `field`: a `%` that starts no operator, an operator Envoy
 * does not have (with the nearest one), a parameter missing or given where none is taken.
 */
export function formatStringProblems(field: FieldPath, text: string): Problem[] {
  const problems: Problem[] = [];
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    const match = OPERATOR.exec(text.slice(i));
    if (!match) {
      problems.push(
        problem(field, text, 'Envoy command operators as %NAME%, %NAME(param)% or %NAME(param):length%', {
          what: `has a "%" at character ${i + 1} that starts no command operator`,
        }),
      );
      break; // the rest of the text cannot be split into operators reliably
    }
    const [whole, name = '', param] = match;
    const takes = ENVOY_COMMAND_OPERATORS[name];
    if (takes === undefined) {
      const [near] = nearestNames(name, Object.keys(ENVOY_COMMAND_OPERATORS));
      problems.push(
        problem(field, `%${name}%`, 'an Envoy command operator', {
          what: 'names no command operator Envoy has',
          ...(near ? { hint: `did you mean %${near}%?` } : {}),
        }),
      );
    } else if (takes === 'required' && (param === undefined || param === '')) {
      problems.push(problem(field, whole, `%${name}(...)% with its parameter`));
    } else if (takes === 'none' && param !== undefined) {
      problems.push(problem(field, whole, `%${name}% without a parameter`));
    }
    i += whole.length;
  }
  return problems;
}
