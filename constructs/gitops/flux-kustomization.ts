import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel } from '../../core/names';

export interface FluxKustomizationProps {
  /** The cluster, as the Kustomization's name suffix. @default - none: one cluster's folder */
  readonly cluster?: string;
  /** The cluster's folder, from the repository root, as Flux reads it: `./dist/clusters/prod`, or `./`. */
  readonly path: string;
  /** @default 'flux-system' */
  readonly namespace?: string;
  /** The GitRepository holding the output. @default 'flux-system' */
  readonly sourceRef?: string;
  /** @default '10m' */
  readonly interval?: string;
  /** @default false */
  readonly prune?: boolean;
}

/**
 * A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) applying one cluster's folder; it goes
 * to that cluster's Flux (each cluster runs its own). The schema is Flux's CRD as packaged by
 * @kubernetes-models/flux-cd.
 */
export class FluxKustomization extends ApiObject {
  constructor(scope: Construct, id: string, props: FluxKustomizationProps) {
    const namespace = props.namespace ?? 'flux-system';
    const sourceRef = props.sourceRef ?? 'flux-system';
    const interval = props.interval ?? '10m';
    throwIfProblems(scope, [
      ...(props.cluster === undefined || isDnsLabel(props.cluster)
        ? []
        : [problem([id, 'cluster'], props.cluster, 'an RFC 1123 label')]),
      ...(props.path.startsWith('./') && !props.path.includes('/../')
        ? []
        : [problem([id, 'path'], props.path, 'a folder from the repository root, starting ./')]),
      ...(isDnsLabel(namespace) ? [] : [problem([id, 'namespace'], namespace, 'an RFC 1123 label')]),
      ...(isDnsLabel(sourceRef) ? [] : [problem([id, 'sourceRef'], sourceRef, 'a GitRepository name')]),
      ...(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(interval)
        ? []
        : [problem([id, 'interval'], interval, 'a Go duration such as 10m')]),
    ]);
    super(scope, id, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: props.cluster === undefined ? 'istio-observability' : `istio-observability-${props.cluster}`,
        namespace,
      },
      spec: {
        interval,
        path: props.path,
        prune: props.prune ?? false,
        sourceRef: { kind: 'GitRepository', name: sourceRef },
      },
    });
  }
}
