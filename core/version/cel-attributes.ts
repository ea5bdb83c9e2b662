import type { VersionPolicy } from './version-policy';

/**
 * The typed attribute vocabulary a release's proxies evaluate CEL against, as data.
 *
 * Envoy's attributes and their types: envoyproxy/envoy `docs/root/intro/arch_overview/advanced/attributes.rst`
 * and `source/extensions/filters/common/expr/context.h`; `Node`, `Locality` and `Metadata`:
 * envoyproxy/envoy `api/envoy/config/core/v3/base.proto`. Istio's peer metadata:
 * - before 1.24 a `FlatNode` read as `upstream_peer` / `downstream_peer` (istio/proxy
 *   `extensions/common/node_info.fbs` at the commits istio/istio@1.17.8 and @1.23.0 pin, e1222b56
 *   and 165f7597; the 1.18+ native stats filter resolves any other name as
 *   `filter_state['wasm.<name>']`, istio/proxy@e9ff5fc6:source/extensions/filters/http/istio_stats/istio_stats.cc FindValue);
 * - from 1.24 `filter_state.upstream_peer` / `.downstream_peer` with the fields of istio/proxy
 *   `extensions/common/metadata_object.cc` (739644f8 for 1.24.0, 4382ac5f for 1.25.0, 1fdadc30 for 1.29.0).
 *
 * Envoy attributes are typed as the newest Envoy documents them and are not gated per Envoy
 * release: an attribute an older proxy lacks evaluates to absent, which the stats filter records
 * as `unknown` (istio_stats.cc). Istio's own vocabulary changes are gated per field with `since`
 * and `until`.
 */

/** A field of a message type: its CEL type, and the minor releases that have it. */
export interface CelField {
  readonly type: string;
  /** First minor that has it. @default - every target */
  readonly since?: number;
  /** First minor that no longer has it. @default - still in the newest target */
  readonly until?: number;
}

type Fields = Readonly<Record<string, string | CelField>>;

const STRING = 'string';
const METADATA = 'envoy.config.core.v3.Metadata';
const DURATION = 'google.protobuf.Duration';

/** The TLS fields the downstream (`connection`) and upstream (`upstream`) connections share (context.h SslExtractors). */
const TLS_FIELDS: Fields = {
  tls_version: STRING,
  subject_local_certificate: STRING,
  subject_peer_certificate: STRING,
  dns_san_local_certificate: STRING,
  dns_san_peer_certificate: STRING,
  uri_san_local_certificate: STRING,
  uri_san_peer_certificate: STRING,
  sha256_peer_certificate_digest: STRING,
  peer_certificate: STRING,
};

/** The message types of the vocabulary, by the name cel-js knows them under. */
const MESSAGES: Readonly<Record<string, Fields>> = {
  'envoy.attributes.Request': {
    path: STRING,
    url_path: STRING,
    host: STRING,
    scheme: STRING,
    method: STRING,
    headers: 'map<string, string>',
    headers_bytes: 'int',
    referer: STRING,
    useragent: STRING,
    time: 'google.protobuf.Timestamp',
    id: STRING,
    protocol: STRING,
    query: STRING,
    duration: DURATION,
    size: 'int',
    total_size: 'int',
  },
  'envoy.attributes.Response': {
    code: 'int',
    code_details: STRING,
    flags: 'int',
    grpc_status: 'int',
    headers: 'map<string, string>',
    headers_bytes: 'int',
    trailers: 'map<string, string>',
    size: 'int',
    total_size: 'int',
    backend_latency: DURATION,
  },
  'envoy.attributes.Peer': { address: STRING, port: 'int' },
  'envoy.attributes.Connection': {
    id: 'uint',
    mtls: 'bool',
    requested_server_name: STRING,
    ...TLS_FIELDS,
    transport_failure_reason: STRING,
    termination_details: STRING,
  },
  'envoy.attributes.Upstream': {
    address: STRING,
    port: 'int',
    num_endpoints: 'uint',
    ...TLS_FIELDS,
    local_address: STRING,
    transport_failure_reason: STRING,
    request_attempt_count: 'uint',
    cx_pool_ready_duration: DURATION,
    locality: 'envoy.config.core.v3.Locality',
  },
  'envoy.attributes.Xds': {
    node: 'envoy.config.core.v3.Node',
    cluster_name: STRING,
    cluster_metadata: METADATA,
    listener_direction: 'int',
    listener_metadata: METADATA,
    route_name: STRING,
    route_metadata: METADATA,
    virtual_host_name: STRING,
    virtual_host_metadata: METADATA,
    upstream_host_metadata: METADATA,
    upstream_host_locality_metadata: METADATA,
    filter_chain_name: STRING,
  },
  [METADATA]: { filter_metadata: 'map<string, map<string, dyn>>', typed_filter_metadata: 'map<string, dyn>' },
  'envoy.config.core.v3.Locality': { region: STRING, zone: STRING, sub_zone: STRING },
  'envoy.config.core.v3.Node': {
    id: STRING,
    cluster: STRING,
    metadata: 'map<string, dyn>',
    dynamic_parameters: 'map<string, dyn>',
    locality: 'envoy.config.core.v3.Locality',
    user_agent_name: STRING,
    user_agent_version: STRING,
    user_agent_build_version: 'dyn',
    extensions: 'list<dyn>',
    client_features: 'list<string>',
    listening_addresses: 'list<dyn>',
  },
  /** Peer metadata before 1.24 (node_info.fbs; `identity` is in the schema from the 1.23 proxy). */
  'istio.FlatNode': {
    name: STRING,
    namespace: STRING,
    labels: 'map<string, string>',
    owner: STRING,
    workload_name: STRING,
    platform_metadata: 'map<string, string>',
    istio_version: STRING,
    mesh_id: STRING,
    app_containers: 'list<string>',
    cluster_id: STRING,
    instance_ips: 'list<string>',
    identity: { type: STRING, since: 23 },
  },
  /** Peer metadata from 1.24 (metadata_object.cc). */
  'istio.PeerMetadata': {
    namespace: STRING,
    cluster: STRING,
    service: STRING,
    revision: STRING,
    app: STRING,
    version: STRING,
    workload: STRING,
    type: STRING,
    name: STRING,
    labels: { type: 'map<string, string>', since: 25 },
    identity: { type: STRING, since: 25 },
    region: { type: STRING, since: 29 },
    availability_zone: { type: STRING, since: 29 },
  },
  /** The filter state entries Istio writes; other keys are read as `dyn` (see {@link celVocabulary}). */
  'envoy.attributes.FilterState': {
    upstream_peer: { type: 'istio.PeerMetadata', since: 24 },
    downstream_peer: { type: 'istio.PeerMetadata', since: 24 },
    // The previous vocabulary's entries, read by the presence-guarded form a 1.24 mesh with 1.23
    // proxies needs (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml).
    'wasm.upstream_peer': { type: 'istio.FlatNode', until: 25 },
    'wasm.downstream_peer': { type: 'istio.FlatNode', until: 25 },
  },
};

/** The type of each root attribute; which roots a release has is the version policy's `celRootAttributes`. */
const ROOTS: Readonly<Record<string, string>> = {
  request: 'envoy.attributes.Request',
  response: 'envoy.attributes.Response',
  source: 'envoy.attributes.Peer',
  destination: 'envoy.attributes.Peer',
  connection: 'envoy.attributes.Connection',
  upstream: 'envoy.attributes.Upstream',
  metadata: METADATA,
  filter_state: 'envoy.attributes.FilterState',
  xds: 'envoy.attributes.Xds',
  node: 'envoy.config.core.v3.Node',
  upstream_peer: 'istio.FlatNode',
  downstream_peer: 'istio.FlatNode',
};

/**
 * Roots that one vocabulary reads under another name (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml):
 * before 1.24 → from 1.24.
 */
export const MOVED_ROOTS: Readonly<Record<string, string>> = {
  upstream_peer: 'filter_state.upstream_peer',
  downstream_peer: 'filter_state.downstream_peer',
  node: 'xds.node',
};

/** The filter state message: the one whose unknown keys are other filters' entries, not typos. */
export const FILTER_STATE_TYPE = 'envoy.attributes.FilterState';

/** One release's vocabulary: message types with the fields that release has, and the roots. */
export interface CelVocabulary {
  readonly messages: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly roots: Readonly<Record<string, string>>;
}

function present(field: string | CelField, minor: number): string | undefined {
  if (typeof field === 'string') return field;
  if (field.since !== undefined && minor < field.since) return undefined;
  if (field.until !== undefined && minor >= field.until) return undefined;
  return field.type;
}

/** The vocabulary of the release `policy` targets. */
export function celVocabulary(policy: VersionPolicy): CelVocabulary {
  const minor = policy.version.minor;
  const messages: Record<string, Record<string, string>> = {};
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const kept: Record<string, string> = {};
    for (const [field, declared] of Object.entries(fields)) {
      const type = present(declared, minor);
      if (type !== undefined) kept[field] = type;
    }
    messages[name] = kept;
  }
  const roots: Record<string, string> = {};
  for (const root of policy.mechanisms.celRootAttributes) {
    const type = Object.hasOwn(ROOTS, root) ? ROOTS[root] : undefined;
    if (type !== undefined) roots[root] = type;
  }
  return { messages, roots };
}

/** Every field name a message type has in any release. */
export function fieldNamesInAnyRelease(type: string): string[] {
  return Object.hasOwn(MESSAGES, type) ? Object.keys(MESSAGES[type] ?? {}) : [];
}

const reachable = new WeakMap<CelVocabulary, Set<string>>();

/** The message types an expression can reach from a vocabulary's roots (computed once per vocabulary). */
function reachableTypes(vocabulary: CelVocabulary): Set<string> {
  const known = reachable.get(vocabulary);
  if (known) return known;
  const reached = new Set<string>();
  const visit = (type: string): void => {
    if (reached.has(type) || !Object.hasOwn(vocabulary.messages, type)) return;
    reached.add(type);
    for (const fieldType of Object.values(vocabulary.messages[type] ?? {})) visit(fieldType);
  };
  for (const type of Object.values(vocabulary.roots)) visit(type);
  reachable.set(vocabulary, reached);
  return reached;
}

/**
 * The releases (of `vocabularies`, oldest first) where message `type` is reachable and has
 * `field`, for a message such as "Istio 1.24 and later"; undefined when none has it.
 */
export function fieldReleases(
  type: string,
  field: string,
  vocabularies: readonly { readonly minor: number; readonly vocabulary: CelVocabulary }[],
): string | undefined {
  const having = vocabularies
    .filter(({ vocabulary }) => reachableTypes(vocabulary).has(type))
    .filter(({ vocabulary }) => Object.hasOwn(vocabulary.messages[type] ?? {}, field))
    .map(({ minor }) => minor);
  const first = having[0];
  const last = having[having.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (having.length === vocabularies.length) return 'every release';
  if (last === vocabularies[vocabularies.length - 1]?.minor) return `Istio 1.${first} and later`;
  return first === last ? `Istio 1.${first}` : `Istio 1.${first} to 1.${last}`;
}
