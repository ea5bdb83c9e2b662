import type { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { ObservabilityBackends } from '../../constructs/backends/observability-backends';
import { IstioMesh } from '../../constructs/mesh/istio-mesh';
import type { Finding } from '../../core/problems/finding';
import type { SourceLocation } from '../../core/problems/source-location';
import type { ObservabilityConfig } from '../config/observability-config';
import { SECTION_BUILDERS } from './sections/section-builders';
import { type Locate, StackContext } from './stack-context';

export interface ObservabilityStackProps {
  /** What to build, e.g. from `ConfigFile.load('observability.yaml').config`. */
  readonly config: ObservabilityConfig;
  /**
   * Where each piece was declared, by its key path in the config (for error locations).
   * @default - no locations
   */
  readonly locate?: Locate;
  /**
   * The folder paths in the config are relative to (`workloads.<name>.manifest`): the config
   * file's.
   * @default - the working directory
   */
  readonly baseDir?: string;
}

/**
 * An app's observability built from declarative config: the mesh in chart `istio-install`
 * (the IstioOperator), every workload-level piece in a chart named after `config.namespace`, and
 * the backends, when declared, in chart `observability-backends`.
 *
 * Each section of the config has its builder (sections/section-builders.ts), and each entry
 * becomes one construct whose id is its key. A piece the constructs refuse contributes nothing
 * and does not stop the others: its problems are kept in `inputFindings`, located at the
 * piece, and reported with every rule's findings before anything is written.
 */
export class ObservabilityStack extends Construct {
  readonly mesh?: IstioMesh;
  /** The backends, when the config declares `backends`. */
  readonly backends?: ObservabilityBackends;
  /** Problems the constructs found in the config's values, with the piece's location. */
  readonly inputFindings: Finding[];
  /** Config location of each construct path, for findings of later rules. */
  readonly locations: Map<string, SourceLocation>;

  constructor(scope: App, id: string, props: ObservabilityStackProps) {
    super(scope, id);
    const { config } = props;
    const context = new StackContext(scope, config, props.locate ?? (() => undefined), props.baseDir ?? '.');
    this.inputFindings = context.inputFindings;
    this.locations = context.locations;
    const { installChart } = context;
    context.piece(
      config.mesh ? ['mesh'] : ['istioVersion'],
      installChart,
      ['mesh'],
      () => {
        context.mesh = new IstioMesh(installChart, 'mesh', { istioVersion: config.istioVersion, ...config.mesh });
      },
      {},
      { istioVersion: ['istioVersion'] },
    );
    this.mesh = context.mesh;
    const mesh = context.mesh;
    if (!mesh) return; // every other piece needs the target release
    for (const section of SECTION_BUILDERS) section.build(context, mesh);
    this.backends = context.backends;
  }
}
