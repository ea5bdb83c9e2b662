import { Construct } from 'constructs';
import { brand, hasBrand } from '../../core/contracts/brand';
import { requireOutputFolder } from '../../core/contracts/output-folder';

export interface LabelPatchProps {
  /** `Namespace` or `Service`. */
  readonly kind: 'Namespace' | 'Service';
  /** The object's name. */
  readonly name: string;
  /** The Service's namespace; none for a Namespace. */
  readonly namespace?: string;
  /** The labels the patch sets, read when it is rendered. */
  readonly labels: () => Readonly<Record<string, string>>;
  /**
   * For a Service: the labels of the pods it selects (its workload's selector), which the patch does
   * not set, so that a review can tell which pods the labels concern.
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Why the labels are set, for the patch file's comment, e.g. `joins the ambient data plane`. */
  readonly reason: string;
}

/**
 * Labels of a Namespace or Service this app does not own (ambient enrolment, a waypoint
 * attachment): a strategic merge patch in `patches/`, like a workload's pod annotations, for the
 * kustomization that applies the object. Applying them from here would take the object over from
 * whoever owns it.
 */
export class LabelPatch extends Construct {
  /** Whether `value` is a {@link LabelPatch}, across copies of this library. */
  static isLabelPatch(value: unknown): value is LabelPatch {
    return hasBrand(value, 'LabelPatch');
  }

  readonly kind: 'Namespace' | 'Service';
  readonly name: string;
  readonly namespace?: string;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly apiVersion = 'v1';
  private readonly labels: () => Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LabelPatchProps) {
    super(scope, id);
    brand(this, 'LabelPatch');
    this.kind = props.kind;
    this.name = props.name;
    if (props.namespace !== undefined) this.namespace = props.namespace;
    if (props.podLabels !== undefined) this.podLabels = props.podLabels;
    this.reason = props.reason;
    this.labels = props.labels;
    requireOutputFolder(this, () => `a label patch of ${this.describe()} in patches/`);
  }

  /** `Namespace shop`, `Service shop/cart`. */
  describe(): string {
    return `${this.kind} ${this.namespace ? `${this.namespace}/` : ''}${this.name}`;
  }

  /** The strategic merge patch: the object's identity and the labels. */
  renderPatch(): {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Record<string, string> };
  } {
    return {
      apiVersion: this.apiVersion,
      kind: this.kind,
      metadata: {
        name: this.name,
        ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
        labels: { ...this.labels() },
      },
    };
  }
}
