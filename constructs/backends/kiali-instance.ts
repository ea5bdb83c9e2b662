import { Construct } from 'constructs';
import type { CaveatSource } from '../../core/contracts/construct-sources';
import { problem } from '../../core/errors';
import { isDnsLabel, urlHasCredentials } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { type Problem, statement } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import {
  KIALI_AUTH_STRATEGIES,
  KIALI_TRACING_PROVIDERS,
  Kiali,
  type KialiAuthStrategy,
  type KialiSpec,
  type KialiTracingProvider,
} from '../overlays/kiali';
import type { Jaeger } from './jaeger';
import type { PrometheusInstance } from './prometheus-instance';

export interface KialiInstanceProps {
  /** The mesh Kiali shows; its release picks the CR's field names (Kiali 1 or 2). */
  readonly mesh: IstioMesh;
  /** Where Kiali reads metrics. */
  readonly prometheus: PrometheusInstance;
  /** Where Kiali reads traces: the generated Jaeger. @default - `tracing`, else no tracing integration */
  readonly jaeger?: Jaeger;
  /**
   * Where Kiali reads traces: a tracing backend this library does not generate (Tempo, a Jaeger
   * of your own). Refused together with `jaeger`.
   * @default - the generated Jaeger, else no tracing integration
   */
  readonly tracing?: KialiExternalTracing;
  /** @default - the mesh's root namespace */
  readonly namespace?: string;
  /** @default 'kiali' */
  readonly name?: string;
  /**
   * How users log in. `anonymous` (the book's) gives anyone who reaches Kiali its service
   * account's rights over the mesh: ask for it explicitly, and it is reported as a caveat.
   * @default 'token' (a Kubernetes token, checked against the user's RBAC)
   */
  readonly auth?: KialiAuthStrategy;
  /**
   * Kiali shows the mesh and changes nothing (`deployment.view_only_mode`). Turning it off lets
   * every Kiali user edit Istio config and act on workloads with Kiali's rights, and is reported
   * as a caveat.
   * @default true
   */
  readonly viewOnly?: boolean;
}

/** An existing tracing backend, as Kiali reads it. */
export interface KialiExternalTracing {
  /** Where Kiali queries traces from inside the cluster, e.g. `http://tempo-query-frontend.tempo:3200`. */
  readonly inClusterUrl: string;
  /** The tracing UI's address for users' browsers, for links from Kiali. @default - no links */
  readonly url?: string;
  /** The query API: `tempo` needs Kiali 1.75 (Istio 1.20's add-on) or later. */
  readonly provider: KialiTracingProvider;
  /** Query Jaeger over gRPC. @default false */
  readonly useGrpc?: boolean;
}

/**
 * A Kiali CR for the kiali-operator, wired to the Prometheus and Jaeger this library generates,
 * with the field names of the target release's Kiali (istio/istio samples/addons at each release tag): `in_cluster_url` and
 * `accessible_namespaces` for Kiali 1 (Istio up to 1.23), `internal_url` and `cluster_wide_access`
 * for Kiali 2 (1.24 and later). The book's `istio_component_namespaces` is never emitted: Kiali
 * removed it in 2021 (kiali/kiali#4109), before any supported release's Kiali.
 */
export class KialiInstance extends Construct implements CaveatSource {
  readonly kiali: Kiali;
  readonly auth: KialiAuthStrategy;
  readonly viewOnly: boolean;
  private readonly prometheusUrl: string;

  constructor(scope: Construct, id: string, props: KialiInstanceProps) {
    super(scope, id);
    const namespace = props.namespace ?? props.mesh.rootNamespace;
    const name = props.name ?? 'kiali';
    const auth = props.auth ?? 'token';
    const problems = props.prometheus.problems(['prometheus']);
    if (!isDnsLabel(namespace)) problems.push(problem(['namespace'], namespace, 'a namespace name (RFC 1123 label)'));
    if (!isDnsLabel(name)) problems.push(problem(['name'], name, 'a Kiali name (RFC 1123 label)'));
    if (!KIALI_AUTH_STRATEGIES.includes(auth)) {
      problems.push(problem(['auth'], auth, `one of ${KIALI_AUTH_STRATEGIES.join(', ')}`));
    }
    const addons = props.mesh.policy.mechanisms.addons;
    problems.push(...tracingProblems(props, addons.kialiTracingProvider, props.mesh.policy.version.toString()));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.auth = auth;
    this.viewOnly = props.viewOnly ?? true;
    this.prometheusUrl = props.prometheus.url;
    const v2 = addons.kialiCr === 'v2';
    const tracingUrl = props.jaeger?.queryGrpcUrl;
    const external = props.tracing;
    const spec: KialiSpec = {
      istio_namespace: props.mesh.rootNamespace,
      auth: { strategy: auth },
      deployment: {
        ...(v2 ? { cluster_wide_access: true } : { accessible_namespaces: ['**'] }),
        view_only_mode: this.viewOnly,
      },
      external_services: {
        prometheus: { cache_duration: 10, cache_enabled: true, cache_expiration: 300, url: props.prometheus.url },
        tracing: external
          ? {
              enabled: true,
              ...(v2 ? { internal_url: external.inClusterUrl } : { in_cluster_url: external.inClusterUrl }),
              ...(external.url === undefined ? {} : v2 ? { external_url: external.url } : { url: external.url }),
              ...(addons.kialiTracingProvider ? { provider: external.provider } : {}),
              use_grpc: external.useGrpc ?? false,
            }
          : tracingUrl
            ? v2
              ? { enabled: true, internal_url: tracingUrl, use_grpc: true, provider: 'jaeger' }
              : { enabled: true, in_cluster_url: tracingUrl, use_grpc: true }
            : { enabled: false },
      },
    };
    this.kiali = new Kiali(this, 'Resource', { metadata: { name, namespace }, spec });
  }

  caveats(): readonly Problem[] {
    return [
      ...(this.auth === 'anonymous'
        ? [
            statement(
              ['auth'],
              'anonymous lets anyone who can reach Kiali act with its service account (read the mesh, change Istio config); use token or openid outside a local lab',
            ),
          ]
        : []),
      ...(urlHasCredentials(this.prometheusUrl)
        ? [
            statement(
              ['prometheus', 'url'],
              'carries credentials (user:password@), which the Kiali CR stores in plain text for anyone who can read it; give Kiali the credentials through external_services.prometheus.auth with a secret reference instead',
            ),
          ]
        : []),
      ...(this.viewOnly
        ? []
        : [
            statement(
              ['viewOnly'],
              "false lets Kiali's users edit Istio config and act on workloads with Kiali's service account; keep it true unless Kiali is how the mesh is operated",
            ),
          ]),
    ];
  }
}

/** An external tracing backend Kiali can read on the target release, and not beside the generated Jaeger. */
function tracingProblems(props: KialiInstanceProps, providerField: boolean, release: string): Problem[] {
  const tracing = props.tracing;
  if (!tracing) return [];
  const problems: Problem[] = [];
  if (props.jaeger) {
    problems.push(
      problem(['tracing'], tracing, 'either the generated Jaeger or an external tracing backend', {
        what: 'names a tracing backend, and Kiali already reads the generated Jaeger',
      }),
    );
  }
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(tracing.inClusterUrl)) {
    problems.push(
      problem(
        ['tracing', 'inClusterUrl'],
        tracing.inClusterUrl,
        'an http(s) URL, e.g. http://tempo-query-frontend.tempo:3200',
      ),
    );
  }
  if (!KIALI_TRACING_PROVIDERS.includes(tracing.provider)) {
    problems.push(problem(['tracing', 'provider'], tracing.provider, `one of ${KIALI_TRACING_PROVIDERS.join(', ')}`));
  } else if (tracing.provider !== 'jaeger' && !providerField) {
    // Kiali before 1.75 reads traces only through Jaeger's API.
    problems.push(
      problem(
        ['tracing', 'provider'],
        tracing.provider,
        'jaeger: the Kiali of this release reads only the Jaeger query API',
        {
          what: `needs Kiali 1.75 or later, and Istio ${release}'s add-on is older (Istio 1.20's is 1.76)`,
          hint: "point inClusterUrl at the backend's Jaeger query API (Tempo serves one) with provider: jaeger",
        },
      ),
    );
  }
  return problems;
}
