import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * Hand-written L1 for the kiali-operator's `kiali.io/v1alpha1` Kiali CR.
 *
 * No Kiali CRD is vendored, so this types only the fields the Kiali construct writes (kiali-operator
 * `crd-docs/cr/kiali.io_v1alpha1_kiali.yaml`, istio/istio samples/addons at each release tag) and schemas/kiali.schema.json checks them.
 * Field names are the CR's own snake_case. Which of them a release's Kiali has is the version
 * policy's business (`kialiV1Cr`, `kialiV2Cr`).
 */
export class Kiali extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'kiali.io/v1alpha1', kind: 'Kiali' };

  constructor(scope: Construct, id: string, props: KialiProps) {
    super(scope, id, { ...Kiali.GVK, ...props });
  }
}

export interface KialiProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: KialiSpec;
}

export interface KialiSpec {
  /** Namespace of the Istio control plane. */
  readonly istio_namespace?: string;
  readonly auth?: { readonly strategy: KialiAuthStrategy };
  readonly deployment?: KialiDeployment;
  readonly external_services?: KialiExternalServices;
}

/** The query APIs Kiali reads traces with (kiali/kiali-operator@v2.27.0 crd-docs/crd/kiali.io_kialis.yaml: jaeger, tempo). */
export const KIALI_TRACING_PROVIDERS = ['jaeger', 'tempo'] as const;
export type KialiTracingProvider = (typeof KIALI_TRACING_PROVIDERS)[number];

/** The kiali-operator's `auth.strategy` values. */
export const KIALI_AUTH_STRATEGIES = ['anonymous', 'token', 'openid', 'openshift', 'header'] as const;

/** `auth.strategy`: `anonymous` lets anyone who reaches Kiali read and change mesh config. */
export type KialiAuthStrategy = (typeof KIALI_AUTH_STRATEGIES)[number];

export interface KialiDeployment {
  /** Kiali 1: namespaces Kiali may read; `['**']` is all. Removed in Kiali 2. */
  readonly accessible_namespaces?: readonly string[];
  /** Whether Kiali gets a ClusterRole (all namespaces) rather than per-namespace Roles. */
  readonly cluster_wide_access?: boolean;
  /** Kiali shows the mesh and changes nothing: no Istio config edits, no actions on workloads. */
  readonly view_only_mode?: boolean;
}

export interface KialiExternalServices {
  readonly prometheus?: {
    readonly url: string;
    readonly cache_enabled?: boolean;
    /** Seconds. */
    readonly cache_duration?: number;
    /** Seconds. */
    readonly cache_expiration?: number;
  };
  readonly tracing?: {
    readonly enabled: boolean;
    /** Kiali 1: the URL Kiali queries traces at. */
    readonly in_cluster_url?: string;
    /** Kiali 2: the URL Kiali queries traces at. */
    readonly internal_url?: string;
    /** Kiali 1: the address users' browsers open for the tracing UI. */
    readonly url?: string;
    /** Kiali 2: the address users' browsers open for the tracing UI. */
    readonly external_url?: string;
    readonly use_grpc?: boolean;
    /** Kiali 1.75 and later: `jaeger` or `tempo`. */
    readonly provider?: KialiTracingProvider;
  };
}
