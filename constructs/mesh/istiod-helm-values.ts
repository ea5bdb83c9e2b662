import type { Construct } from 'constructs';
import { brand, hasBrand } from '../../core/contracts/brand';
import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { HelmValuesFile } from '../intent/helm-values-file';

/**
 * The kind given to a values file of the istiod Helm chart, as validation sees it (a document with
 * a top-level `meshConfig` and no `apiVersion` or `kind`): an install input like an IstioOperator,
 * never applied to a cluster, so it has no name, namespace or schema to check.
 */

/** Where a Helm install's values are written in the output folder. */
export const ISTIOD_VALUES_FILE = 'install/istiod-values.yaml';

/**
 * The values of the istiod Helm chart that carry the mesh's settings, for
 * `helm upgrade --install istiod istio/istiod -n <root namespace> --version <release> -f install/istiod-values.yaml`.
 * Written to {@link ISTIOD_VALUES_FILE}; not a Kubernetes object.
 */
export class IstiodHelmValues extends HelmValuesFile {
  /** Whether `value` is a {@link IstiodHelmValues}, across copies of this library. */
  static isIstiodHelmValues(value: unknown): value is IstiodHelmValues {
    return hasBrand(value, 'IstiodHelmValues');
  }

  constructor(scope: Construct, id: string, render: () => Record<string, unknown>) {
    super(scope, id, ISTIOD_VALUES_FILE, render);
    brand(this, 'IstiodHelmValues');
  }

  /** The values as an object for validation: the values at top level, with kind `IstiodHelmValues`. */
  toManifest(): { apiVersion: string; kind: string; metadata: Record<string, never>; [key: string]: unknown } {
    return { ...this.values(), apiVersion: '', kind: ISTIOD_VALUES_KIND, metadata: {} };
  }
}
