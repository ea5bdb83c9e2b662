import type { FieldPath } from '../problems/field-path';
import { nearestNames } from '../problems/nearest';
import { type Problem, problem } from '../problems/problem';
import { firstIstioWithEnvoy } from '../version/envoy-releases';
import type { VersionPolicy } from '../version/version-policy';

/** Whether an operator takes a parameter: `%NAME(param)%`. */
export type CommandOperatorParam = 'required' | 'optional' | 'none';

/** One command operator of Envoy's access log formatter, and the releases that accept it. */
export interface CommandOperator {
  readonly param: CommandOperatorParam;
  /** The first Envoy minor that has it (its changelog names it). @default - every Envoy of Istio 1.17+ (1.25+) */
  readonly envoy?: number;
  /** The first Istio minor whose istiod enables the formatter extension it needs. @default - no extension needed */
  readonly istio?: number;
  /**
   * The first Istio minor whose istiod also gives an OpenTelemetry access log that formatter:
   * 1.23 (istio/istio@1.23.0:pilot/pkg/model/telemetry_logging.go lines 530-533, "users should add
   * CEL/METADATA/REQ_WITHOUT_QUERY commands after all proxy upgraded to 1.23+. Otherwise, the
   * configuration will be rejected"). @default - as for a file log
   */
  readonly istioOtel?: number;
  /** A parameter is accepted from this Envoy minor on; before, none. */
  readonly paramFromEnvoy?: number;
  /** Whether a truncation length (`:N`) is accepted: Envoy refuses it on the others. @default false */
  readonly length?: boolean;
  /** Where the release comes from, when it is not Envoy's `changelogs/1.<envoy>.0.yaml`. */
  readonly source?: string;
}

const op = (param: CommandOperatorParam, more: Omit<CommandOperator, 'param'> = {}): CommandOperator => ({
  param,
  ...more,
});
const NONE = op('none');
/** Headers take `A?B` (one alternative) and a length. */
const HEADER = op('required', { length: true });

/**
 * Envoy's access log command operators (`%NAME%`, `%NAME(param)%`, `%NAME(param):length%`), as the
 * formatter of each Envoy release parses them: envoyproxy/envoy source/common/formatter/
 * stream_info_formatter.cc, http_specific_formatter.cc and substitution_format_utility.cc
 * (`CommandSyntaxChecker`), and the release an operator arrived in from changelogs/1.<minor>.0.yaml.
 * Plus the formatter extensions istiod enables when a format uses them: REQ_WITHOUT_QUERY (1.13),
 * METADATA (istio/istio#44105, first in 1.18.0) and CEL (istio/istio#47354, first in 1.20.0;
 * istio/istio@1.31.0-rc.0:pilot/pkg/model/telemetry_logging.go). Envoy refuses a format naming
 * anything else, and istiod then drops the listener's access log.
 */
export const ENVOY_COMMAND_OPERATORS: Readonly<Record<string, CommandOperator>> = {
  // Requests, responses and their headers
  REQ: HEADER,
  RESP: HEADER,
  TRAILER: HEADER,
  REQUEST_HEADER: { ...HEADER, envoy: 37 },
  RESPONSE_HEADER: { ...HEADER, envoy: 37 },
  RESPONSE_TRAILER: { ...HEADER, envoy: 37 },
  REQ_WITHOUT_QUERY: op('required', { length: true, istioOtel: 23 }),
  QUERY_PARAM: op('required', { envoy: 34, length: true }),
  QUERY_PARAMS: op('optional', { envoy: 38 }),
  PATH: op('optional', { envoy: 34, length: true }),
  PROTOCOL: NONE,
  UPSTREAM_PROTOCOL: NONE,
  RESPONSE_CODE: NONE,
  RESPONSE_CODE_DETAILS: op('optional', { paramFromEnvoy: 34 }),
  RESPONSE_FLAGS: NONE,
  RESPONSE_FLAGS_LONG: op('none', { envoy: 28 }),
  CUSTOM_FLAGS: op('none', { envoy: 34 }),
  GRPC_STATUS: op('optional'),
  GRPC_STATUS_NUMBER: NONE,
  LOCAL_REPLY_BODY: NONE,
  ACCESS_LOG_TYPE: op('none', { envoy: 27 }),
  CONNECTION_TERMINATION_DETAILS: NONE,
  ROUTE_NAME: NONE,
  VIRTUAL_CLUSTER_NAME: NONE,
  STREAM_ID: NONE,
  UNIQUE_ID: op('none', {
    envoy: 32,
    source: 'envoyproxy/envoy#34817 (no changelog entry; taken from the first release surely after it)',
  }),
  TRACE_ID: op('none', { envoy: 31 }),
  SPAN_ID: op('none', { envoy: 38 }),
  HOSTNAME: NONE,
  FILTER_CHAIN_NAME: NONE,
  REQUESTED_SERVER_NAME: op('optional', { paramFromEnvoy: 37 }),
  UPSTREAM_SERVER_NAME: op('none', { envoy: 39 }),
  ENVIRONMENT: op('required', { length: true }),
  COALESCE: op('required', { envoy: 37, length: true }),
  // Times and durations
  START_TIME: op('optional'),
  START_TIME_LOCAL: op('optional', { envoy: 32 }),
  EMIT_TIME: op('optional', { envoy: 29 }),
  EMIT_TIME_LOCAL: op('optional', { envoy: 32 }),
  DURATION: NONE,
  COMMON_DURATION: op('required', { envoy: 30 }),
  REQUEST_DURATION: NONE,
  REQUEST_TX_DURATION: NONE,
  RESPONSE_DURATION: NONE,
  RESPONSE_TX_DURATION: NONE,
  DOWNSTREAM_HANDSHAKE_DURATION: NONE,
  ROUNDTRIP_DURATION: op('none', {
    envoy: 26,
    source: 'envoyproxy/envoy changelogs/1.26.0.yaml (QUIC round trip time)',
  }),
  UPSTREAM_CONNECTION_POOL_READY_DURATION: op('none', {
    envoy: 29,
    source: 'envoyproxy/envoy#31027 (no changelog entry; first in the release/v1.29 formatter)',
  }),
  // Bytes
  BYTES_RECEIVED: NONE,
  BYTES_SENT: NONE,
  BYTES_RETRANSMITTED: op('none', { envoy: 27 }),
  PACKETS_RETRANSMITTED: op('none', { envoy: 27 }),
  REQUEST_HEADERS_BYTES: NONE,
  RESPONSE_HEADERS_BYTES: NONE,
  RESPONSE_TRAILERS_BYTES: NONE,
  UPSTREAM_WIRE_BYTES_SENT: NONE,
  UPSTREAM_WIRE_BYTES_RECEIVED: NONE,
  UPSTREAM_HEADER_BYTES_SENT: NONE,
  UPSTREAM_HEADER_BYTES_RECEIVED: NONE,
  UPSTREAM_DECOMPRESSED_HEADER_BYTES_SENT: op('none', { envoy: 36 }),
  UPSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED: op('none', { envoy: 36 }),
  DOWNSTREAM_WIRE_BYTES_SENT: NONE,
  DOWNSTREAM_WIRE_BYTES_RECEIVED: NONE,
  DOWNSTREAM_HEADER_BYTES_SENT: NONE,
  DOWNSTREAM_HEADER_BYTES_RECEIVED: NONE,
  DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_SENT: op('none', { envoy: 36 }),
  DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED: op('none', { envoy: 36 }),
  // Upstream
  UPSTREAM_HOST: NONE,
  UPSTREAM_HOST_NAME: op('none', { envoy: 31 }),
  UPSTREAM_HOST_NAME_WITHOUT_PORT: op('none', { envoy: 33 }),
  UPSTREAM_HOSTS_ATTEMPTED: op('none', { envoy: 38 }),
  UPSTREAM_HOSTS_ATTEMPTED_WITHOUT_PORT: op('none', { envoy: 38 }),
  UPSTREAM_HOST_NAMES_ATTEMPTED: op('none', { envoy: 38 }),
  UPSTREAM_HOST_NAMES_ATTEMPTED_WITHOUT_PORT: op('none', { envoy: 38 }),
  UPSTREAM_CONNECTION_IDS_ATTEMPTED: op('none', { envoy: 38 }),
  UPSTREAM_CLUSTER: NONE,
  UPSTREAM_CLUSTER_RAW: op('none', { envoy: 32 }),
  UPSTREAM_CONNECTION_ID: op('none', { envoy: 30 }),
  UPSTREAM_LOCAL_ADDRESS: NONE,
  UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: op('optional', { paramFromEnvoy: 38 }),
  UPSTREAM_LOCAL_PORT: NONE,
  UPSTREAM_REMOTE_ADDRESS: NONE,
  UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: op('optional', { paramFromEnvoy: 38 }),
  UPSTREAM_REMOTE_ADDRESS_ENDPOINT_ID: op('none', { envoy: 37 }),
  UPSTREAM_REMOTE_PORT: NONE,
  UPSTREAM_REQUEST_ATTEMPT_COUNT: NONE,
  UPSTREAM_TRANSPORT_FAILURE_REASON: NONE,
  UPSTREAM_LOCAL_CLOSE_REASON: op('none', { envoy: 38 }),
  UPSTREAM_DETECTED_CLOSE_TYPE: op('none', { envoy: 38 }),
  UPSTREAM_TLS_CIPHER: NONE,
  UPSTREAM_TLS_VERSION: NONE,
  UPSTREAM_TLS_SESSION_ID: NONE,
  UPSTREAM_TLS_GROUP: op('none', { envoy: 39 }),
  UPSTREAM_PEER_ISSUER: NONE,
  UPSTREAM_PEER_CERT: NONE,
  UPSTREAM_PEER_SUBJECT: NONE,
  UPSTREAM_PEER_URI_SAN: op('none', { envoy: 31 }),
  UPSTREAM_PEER_DNS_SAN: op('none', { envoy: 31 }),
  UPSTREAM_PEER_IP_SAN: op('none', { envoy: 31 }),
  UPSTREAM_PEER_CERT_V_START: op('optional'),
  UPSTREAM_PEER_CERT_V_END: op('optional'),
  UPSTREAM_LOCAL_URI_SAN: op('none', { envoy: 31 }),
  UPSTREAM_LOCAL_DNS_SAN: op('none', { envoy: 31 }),
  UPSTREAM_LOCAL_IP_SAN: op('none', { envoy: 31 }),
  UPSTREAM_FILTER_STATE: op('required', { length: true }),
  UPSTREAM_METADATA: op('required'),
  // Downstream
  CONNECTION_ID: NONE,
  DOWNSTREAM_LOCAL_ADDRESS: NONE,
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: op('optional', { paramFromEnvoy: 38 }),
  DOWNSTREAM_LOCAL_ADDRESS_ENDPOINT_ID: op('none', { envoy: 37 }),
  DOWNSTREAM_LOCAL_PORT: NONE,
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS: op('none', { envoy: 33 }),
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT: op('optional', { envoy: 33, paramFromEnvoy: 38 }),
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS_ENDPOINT_ID: op('none', { envoy: 37 }),
  DOWNSTREAM_DIRECT_LOCAL_PORT: op('none', {
    envoy: 33,
    source: 'envoyproxy/envoy#36920 (changelogs/1.33.0.yaml names its two address siblings)',
  }),
  DOWNSTREAM_REMOTE_ADDRESS: NONE,
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: op('optional', { paramFromEnvoy: 38 }),
  DOWNSTREAM_REMOTE_PORT: NONE,
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: NONE,
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: op('optional', { paramFromEnvoy: 38 }),
  DOWNSTREAM_DIRECT_REMOTE_PORT: NONE,
  DOWNSTREAM_LOCAL_CLOSE_REASON: op('none', { envoy: 38 }),
  DOWNSTREAM_DETECTED_CLOSE_TYPE: op('none', { envoy: 38 }),
  DOWNSTREAM_LOCAL_URI_SAN: NONE,
  DOWNSTREAM_LOCAL_DNS_SAN: op('none', { envoy: 27 }),
  DOWNSTREAM_LOCAL_IP_SAN: op('none', { envoy: 27 }),
  DOWNSTREAM_LOCAL_EMAIL_SAN: op('none', { envoy: 33 }),
  DOWNSTREAM_LOCAL_OTHERNAME_SAN: op('none', { envoy: 33 }),
  DOWNSTREAM_LOCAL_SUBJECT: NONE,
  DOWNSTREAM_PEER_URI_SAN: NONE,
  DOWNSTREAM_PEER_DNS_SAN: op('none', { envoy: 27 }),
  DOWNSTREAM_PEER_IP_SAN: op('none', { envoy: 27 }),
  DOWNSTREAM_PEER_EMAIL_SAN: op('none', { envoy: 33 }),
  DOWNSTREAM_PEER_OTHERNAME_SAN: op('none', { envoy: 33 }),
  DOWNSTREAM_PEER_SUBJECT: NONE,
  DOWNSTREAM_PEER_ISSUER: NONE,
  DOWNSTREAM_PEER_ISSUER_FINGERPRINT_256: op('none', { envoy: 38 }),
  DOWNSTREAM_PEER_ISSUER_SERIAL: op('none', { envoy: 38 }),
  DOWNSTREAM_PEER_SERIAL: NONE,
  DOWNSTREAM_PEER_FINGERPRINT_1: NONE,
  DOWNSTREAM_PEER_FINGERPRINT_256: NONE,
  DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1: op('none', { envoy: 32 }),
  DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256: op('none', { envoy: 32 }),
  DOWNSTREAM_PEER_CHAIN_SERIALS: op('none', { envoy: 32 }),
  DOWNSTREAM_PEER_CERT: NONE,
  DOWNSTREAM_PEER_CERT_V_START: op('optional'),
  DOWNSTREAM_PEER_CERT_V_END: op('optional'),
  DOWNSTREAM_TLS_CIPHER: NONE,
  DOWNSTREAM_TLS_VERSION: NONE,
  DOWNSTREAM_TLS_SESSION_ID: NONE,
  DOWNSTREAM_TLS_GROUP: op('none', { envoy: 39 }),
  DOWNSTREAM_TRANSPORT_FAILURE_REASON: op('none', { envoy: 26 }),
  TLS_JA3_FINGERPRINT: NONE,
  TLS_JA4_FINGERPRINT: op('none', { envoy: 35 }),
  // Metadata, filter state, CEL
  DYNAMIC_METADATA: op('required'),
  CLUSTER_METADATA: op('required'),
  FILTER_STATE: op('required', { length: true }),
  METADATA: op('required', { istio: 18, istioOtel: 23, length: true, source: 'istio/istio#44105 (first in 1.18.0)' }),
  CEL: op('required', { istio: 20, istioOtel: 23, length: true, source: 'istio/istio#47354 (first in 1.20.0)' }),
  TYPED_CEL: op('required', { envoy: 36, istio: 20 }),
};

/** `%NAME%`, `%NAME(param)%` or `%NAME(param):length%`, matched at a `%` of a format string. */
const OPERATOR = /^%([A-Z][A-Z0-9_]*)(?:\(((?:[^()]|\([^()]*\))*)\))?(?::(\d+))?%/;
/** Operators whose parameter is a header name with at most one alternative (`A?B`). */
const HEADER_OPERATORS = new Set(['REQ', 'RESP', 'TRAILER', 'REQUEST_HEADER', 'RESPONSE_HEADER', 'RESPONSE_TRAILER']);

/** The release of Istio and Envoy a check is for. */
function envoyOf(policy: VersionPolicy): { readonly envoy: number; readonly istio: string } {
  return { envoy: policy.mechanisms.envoyMinor, istio: policy.version.toString() };
}

/** Where an operator's release comes from, for a hint. */
function operatorSource(operator: CommandOperator): string {
  return operator.source ?? `envoyproxy/envoy changelogs/1.${operator.envoy}.0.yaml`;
}

/** Where a format is written: a file log, or an OpenTelemetry log (`envoyOtelAls`). */
export type AccessLogSink = 'file' | 'opentelemetry';

/** Why the target's proxy does not have `name`, or undefined when it does. */
function absentProblem(
  field: FieldPath,
  name: string,
  operator: CommandOperator,
  policy: VersionPolicy,
  sink: AccessLogSink,
): Problem | undefined {
  const { envoy, istio } = envoyOf(policy);
  if (sink === 'opentelemetry' && operator.istioOtel !== undefined && policy.version.minor < operator.istioOtel) {
    return problem(field, `%${name}%`, `a command operator an OpenTelemetry log of Istio ${istio} has`, {
      what: `needs a formatter istiod gives OpenTelemetry access logs only from Istio 1.${operator.istioOtel}, and the target is Istio ${istio}, so Envoy rejects the log`,
      hint: `use it in a file log, or target Istio 1.${operator.istioOtel} or later (source: istio/istio@1.23.0:pilot/pkg/model/telemetry_logging.go lines 530-533)`,
    });
  }
  if (operator.istio !== undefined && policy.version.minor < operator.istio) {
    return problem(field, `%${name}%`, `a command operator Istio ${istio} has`, {
      what: `needs the formatter istiod enables from Istio 1.${operator.istio}, and the target is Istio ${istio}`,
      hint: `target Istio 1.${operator.istio} or later, or remove it (source: ${operator.source})`,
    });
  }
  if (operator.envoy !== undefined && envoy < operator.envoy) {
    const first = firstIstioWithEnvoy(operator.envoy);
    return problem(field, `%${name}%`, `a command operator Envoy 1.${envoy} has`, {
      what: `arrived in Envoy 1.${operator.envoy}${first ? ` (Istio ${first})` : ''}, and the proxy of Istio ${istio} runs Envoy 1.${envoy}, which refuses the format`,
      hint: `target Istio ${first ?? 'a later release'} or later, or remove it (source: ${operatorSource(operator)})`,
    });
  }
  return undefined;
}

/**
 * Problems of an Envoy format string at `field` on the proxies of the target release: a `%` that
 * starts no operator (a literal percent is `%%`), an operator Envoy does not have or that arrived
 * after the target's Envoy, a parameter missing or given where none is taken, a length where none
 * is taken, and more than one alternative header (Envoy: "More than 1 alternative header specified
 * in token", source/common/formatter/substitution_format_utility.cc).
 */
export function formatStringProblems(
  field: FieldPath,
  text: string,
  policy: VersionPolicy,
  sink: AccessLogSink = 'file',
): Problem[] {
  const problems: Problem[] = [];
  const { envoy } = envoyOf(policy);
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    // Envoy's parser reads `%%` outside an operator as one literal `%`.
    if (text[i + 1] === '%') {
      i += 2;
      continue;
    }
    const match = OPERATOR.exec(text.slice(i));
    if (!match) {
      problems.push(
        problem(field, text, 'Envoy command operators as %NAME%, %NAME(param)% or %NAME(param):length%', {
          what: `has a "%" at character ${i + 1} that starts no command operator`,
          hint: 'write %% for a literal percent sign',
        }),
      );
      break; // the rest of the text cannot be split into operators reliably
    }
    const [whole, name = '', param, length] = match;
    const operator = ENVOY_COMMAND_OPERATORS[name];
    i += whole.length;
    if (operator === undefined) {
      const [near] = nearestNames(name, Object.keys(ENVOY_COMMAND_OPERATORS));
      problems.push(
        problem(field, `%${name}%`, 'an Envoy command operator', {
          what: 'names no command operator Envoy has',
          ...(near ? { hint: `did you mean %${near}%?` } : {}),
        }),
      );
      continue;
    }
    const absent = absentProblem(field, name, operator, policy, sink);
    if (absent) {
      problems.push(absent);
      continue;
    }
    const takes = operator.paramFromEnvoy !== undefined && envoy < operator.paramFromEnvoy ? 'none' : operator.param;
    if (takes === 'required' && (param === undefined || param === '')) {
      problems.push(problem(field, whole, `%${name}(...)% with its parameter`));
    } else if (takes === 'none' && param !== undefined) {
      problems.push(
        problem(field, whole, `%${name}% without a parameter`, {
          ...(operator.paramFromEnvoy !== undefined
            ? {
                what: `takes a parameter from Envoy 1.${operator.paramFromEnvoy} (Istio ${firstIstioWithEnvoy(operator.paramFromEnvoy)}), and the proxy of Istio ${policy.version} runs Envoy 1.${envoy}`,
              }
            : {}),
        }),
      );
    } else if (length !== undefined && !operator.length) {
      problems.push(problem(field, whole, `%${name}${param !== undefined ? `(${param})` : ''}% without a length`));
    } else if (HEADER_OPERATORS.has(name) && (param ?? '').split('?').length > 2) {
      problems.push(
        problem(field, whole, `%${name}(header?alternative)% with at most one alternative header`, {
          what: 'names more than one alternative header, which Envoy refuses',
        }),
      );
    }
  }
  return problems;
}
