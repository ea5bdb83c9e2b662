import { Construct } from 'constructs';
import { brand, hasBrand } from '../../core/contracts/brand';
import { requireOutputFolder } from '../../core/contracts/output-folder';

/**
 * The values of a Helm chart that the output needs set, written to `file` in the output folder
 * (under `install/`) for `helm upgrade --install … -f <file>`: an installer's input, never applied
 * to a cluster and not listed in the kustomization. Rendered at synth, once every construct has
 * contributed; a file with no values is not written.
 */
export class HelmValuesFile extends Construct {
  /** Whether `value` is a {@link HelmValuesFile}, across copies of this library. */
  static isHelmValuesFile(value: unknown): value is HelmValuesFile {
    return hasBrand(value, 'HelmValuesFile');
  }

  constructor(
    scope: Construct,
    id: string,
    /** Where the values are written, relative to the output folder, e.g. `install/istiod-values.yaml`. */
    readonly file: string,
    private readonly render: () => Record<string, unknown>,
  ) {
    super(scope, id);
    brand(this, 'HelmValuesFile');
    requireOutputFolder(this, () => (this.isEmpty ? undefined : file));
  }

  /** The values, as the chart reads them. */
  values(): Record<string, unknown> {
    return this.render();
  }

  /** True when there is nothing to set: the file is not written. */
  get isEmpty(): boolean {
    return Object.keys(this.render()).length === 0;
  }
}
