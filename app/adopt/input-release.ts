import { isMapping, listOf, mappingAt } from '../../core/json-values';
import { apiGroupOf } from '../../core/names';
import { IstioVersion } from '../../core/version/istio-version';
import { installInputOf, valueAt } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { podTemplateField } from '../../model/pod-templates';

/** An Istio release the input names, and which object says so. */
export interface InputRelease {
  /** `1.22.3`, as the object gives it (without a leading `v`). */
  readonly istioVersion: string;
  /** `Deployment istio-system/istiod image docker.io/istio/pilot:1.22.3` */
  readonly from: string;
}

/** `1.22.3` of `docker.io/istio/pilot:1.22.3` or `1.22.3-distroless`; undefined for any other image. */
function pilotImageRelease(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const match = /(?:^|\/)pilot:v?(\d+\.\d+(?:\.\d+)?)(?:-[\w.]+)?$/.exec(image);
  return match?.[1];
}

/** `1.24.2` of `v1.24.2` or `1.24.2`; undefined for `latest`, a digest, or none. */
function releaseOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/^v/, '').replace(/-[\w.]+$/, '');
  return IstioVersion.tryParse(text) ? text : undefined;
}

/**
 * The Istio release the input was installed at, read where each install input records it: the Sail
 * Operator `Istio`'s `spec.version`, an IstioOperator's `components.pilot.tag` or `spec.tag`, the
 * istiod chart values' `tag`, `pilot.tag` or `global.tag`, and, in a `kubectl get` dump, the image of istiod's `discovery`
 * container (`…/pilot:<release>`). The first found wins; undefined when none says.
 */
export function inputRelease(objects: readonly RenderedObject[]): InputRelease | undefined {
  for (const { manifest } of objects) {
    const name = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ''}${manifest.metadata.name ?? ''}`;
    const input = installInputOf(manifest);
    if (input?.kind === 'sail-istio') {
      const version = releaseOf(mappingAt(manifest, 'spec').version);
      if (version) return { istioVersion: version, from: `${name} spec.version` };
    }
    if (input?.kind === 'istio-operator') {
      // istiod's own tag wins over the install's.
      for (const field of [
        ['spec', 'components', 'pilot', 'tag'],
        ['spec', 'tag'],
      ]) {
        const version = releaseOf(valueAt(manifest, field));
        if (version) return { istioVersion: version, from: `${name} ${field.join('.')}` };
      }
    }
    if (input?.kind === 'helm-values') {
      // The chart's image tag: `tag` (1.24+) or `pilot.tag` (before), else `global.tag`
      // (istio/istio@1.26.8:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml).
      for (const field of [['tag'], ['pilot', 'tag'], ['global', 'tag']]) {
        const version = releaseOf(valueAt(manifest, field));
        if (version) return { istioVersion: version, from: `istiod Helm values ${field.join('.')}` };
      }
    }
    const template = podTemplateField(manifest.kind);
    if (template && apiGroupOf(manifest.apiVersion) === 'apps') {
      const containers = listOf(mappingAt(valueAt(manifest, [...template, 'spec'])).containers);
      for (const container of containers) {
        if (!isMapping(container)) continue;
        const version = pilotImageRelease(container.image);
        if (version) return { istioVersion: version, from: `${name} image ${String(container.image)}` };
      }
    }
  }
  return undefined;
}
