import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import {
  BASE_RELEASE,
  exactChartVersion,
  FLUX_ISTIOD_VALUES_CONFIGMAP,
  ISTIO_HELM_REPOSITORY,
  ISTIOD_RELEASE,
} from './istio-charts';

/** A `valuesFrom` entry of a Flux HelmRelease: a ConfigMap or Secret in the release's namespace. */
export interface FluxValuesReference {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  /** @default 'values.yaml' */
  readonly valuesKey?: string;
}

export interface FluxIstiodValuesProps {
  /** The istiod chart's values, read when the ConfigMap is rendered. */
  readonly values: () => Record<string, unknown>;
  /** The namespace of the HelmRelease that reads it. @default 'flux-system' */
  readonly namespace?: string;
}

/**
 * Our istiod values as a ConfigMap for a Flux `HelmRelease` to list last in `valuesFrom`
 * (`kind: ConfigMap, name: istiod-observability-values, valuesKey: values.yaml`). It is labelled
 * for helm-controller to watch, so a change upgrades the release at once (helm-controller v1.4,
 * Flux 2.7: fluxcd/helm-controller#1258); an older one reads it at the release's next interval.
 */
export class FluxIstiodValues extends ApiObject {
  constructor(scope: Construct, id: string, props: FluxIstiodValuesProps) {
    super(scope, id, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: FLUX_ISTIOD_VALUES_CONFIGMAP,
        namespace: props.namespace ?? 'flux-system',
        labels: { 'reconcile.fluxcd.io/watch': 'Enabled' },
      },
      data: { 'values.yaml': Lazy.any({ produce: () => stringify(props.values(), { lineWidth: 0 }) }) },
    });
  }

  /** How a HelmRelease lists it. */
  static readonly REFERENCE: FluxValuesReference = {
    kind: 'ConfigMap',
    name: FLUX_ISTIOD_VALUES_CONFIGMAP,
    valuesKey: 'values.yaml',
  };
}

export interface FluxIstioChartsProps {
  /** The exact release (MAJOR.MINOR.PATCH): the charts' version. */
  readonly istioVersion: string;
  /** Where istiod runs (the mesh's root namespace). */
  readonly rootNamespace: string;
  /** The objects' name suffix, for clusters whose Flux objects share a management cluster. @default - none */
  readonly suffix?: string;
  /** The team's own values, listed before ours (later entries win key by key). @default - none */
  readonly teamValuesFrom?: readonly FluxValuesReference[];
  /** @default 'flux-system' */
  readonly namespace?: string;
  /** @default '10m' */
  readonly interval?: string;
}

/**
 * Istio's `base` and `istiod` charts of one exact release for a cluster's Flux: a `HelmRepository`,
 * a `HelmRelease` of base, and one of istiod that `dependsOn` it, so CRDs come first. CRDs are
 * created and replaced on upgrade too (Flux skips them on upgrade by default). istiod reads the
 * team's values first, then ours ({@link FluxIstiodValues}). Checked against Flux's CRDs as
 * packaged by @kubernetes-models/flux-cd.
 */
export class FluxIstioCharts extends Construct {
  constructor(scope: Construct, id: string, props: FluxIstioChartsProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    const interval = props.interval ?? '10m';
    const version = exactChartVersion(['istioVersion'], props.istioVersion);
    throwIfProblems(this, [
      ...(isDnsLabel(namespace) ? [] : [problem(['namespace'], namespace, 'an RFC 1123 label')]),
      ...(typeof version === 'string' ? [] : [version]),
    ]);
    const chartVersion = version as string; // a Problem was thrown above
    const named = (name: string) => (props.suffix === undefined ? name : `${name}-${props.suffix}`);
    const repository = named('istio');
    const chart = (name: string) => ({
      spec: { chart: name, version: chartVersion, sourceRef: { kind: 'HelmRepository', name: repository } },
    });
    new ApiObject(this, 'Repository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: repository, namespace },
      spec: { url: ISTIO_HELM_REPOSITORY, interval: '1h' },
    });
    new ApiObject(this, 'Base', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: named(BASE_RELEASE), namespace },
      spec: {
        interval,
        releaseName: BASE_RELEASE,
        targetNamespace: props.rootNamespace,
        chart: chart('base'),
        install: { createNamespace: true, crds: 'CreateReplace' },
        upgrade: { crds: 'CreateReplace' },
      },
    });
    new ApiObject(this, 'Istiod', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: named(ISTIOD_RELEASE), namespace },
      spec: {
        interval,
        releaseName: ISTIOD_RELEASE,
        targetNamespace: props.rootNamespace,
        dependsOn: [{ name: named(BASE_RELEASE) }],
        chart: chart('istiod'),
        valuesFrom: [...(props.teamValuesFrom ?? []), FluxIstiodValues.REFERENCE].map((ref) => ({
          kind: ref.kind,
          name: ref.name,
          valuesKey: ref.valuesKey ?? 'values.yaml',
        })),
      },
    });
  }
}
