import { Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { parse, stringify } from 'yaml';
import { problem } from '../../core/errors';
import {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  PROMETHEUS_PATH_ANNOTATION,
  PROMETHEUS_PORT_ANNOTATION,
  PROMETHEUS_SCRAPE_ANNOTATION,
  PROXY_CONFIG_ANNOTATION,
  SCRAPE_TARGETS_ANNOTATION,
} from '../../core/istio/istio-names';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { addProblemCheck, refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { statement } from '../../core/problems/problem';
import { PROXY_CONFIG_ATOMIC_PATHS, type ProxyConfigFragment } from './proxy-config-fragment';
import { describeWorkload, isWorkloadRef, type ObservedWorkload, type WorkloadRef } from './workload-ref';

/** The annotations set through {@link IstioPodAnnotations.setAnnotation}: one value per pod. */
const SINGLE_VALUED_ANNOTATIONS: readonly string[] = [
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  PROMETHEUS_PORT_ANNOTATION,
  PROMETHEUS_PATH_ANNOTATION,
  PROMETHEUS_SCRAPE_ANNOTATION,
  SCRAPE_TARGETS_ANNOTATION,
];

const ID = 'IstioPodAnnotations';

/**
 * The one place that writes Istio's pod-template annotations of a workload.
 *
 * Every construct that configures a workload's proxy contributes here instead of setting
 * annotations itself, so that all contributions end up in a single `proxy.istio.io/config`
 * YAML document (serialized with the `yaml` library, keys sorted) and conflicting
 * contributions are refused, naming both constructs.
 *
 * An annotation the workload already carries (set through `podMetadata`) is adopted as the first
 * contribution, so nothing set by hand is lost; overwriting the merged annotation afterwards is
 * reported at synth. For a {@link WorkloadRef} (a workload this app does not build) the
 * annotations go into its pod template patch instead.
 */
export class IstioPodAnnotations extends Construct {
  /** The annotations of `workload`, created on first use. */
  static of(workload: ObservedWorkload): IstioPodAnnotations {
    const existing = workload.node.tryFindChild(ID);
    if (existing instanceof IstioPodAnnotations) return existing;
    return new IstioPodAnnotations(workload);
  }

  private readonly proxyConfig: FragmentMerger;
  /** The last rendering; every contribution clears it (cdk8s renders and validates several times per synth). */
  private rendered?: string;
  /** Annotations with one value per pod (not merged), by name: the value and who set it. */
  private readonly single = new Map<string, { readonly value: string; readonly contributor: string }>();

  /** Whether the merged `proxy.istio.io/config` is attached to the workload (once). */
  private attached = false;

  private constructor(private readonly workload: ObservedWorkload) {
    super(workload, ID);
    this.proxyConfig = new FragmentMerger(
      `${PROXY_CONFIG_ANNOTATION} of ${describeWorkload(workload)}`,
      PROXY_CONFIG_ATOMIC_PATHS,
    );
    this.adoptExistingAnnotations();
    addProblemCheck(this, () => this.overwrittenProblems());
  }

  /** Merges `fragment` into the workload's `proxy.istio.io/config`; refuses conflicting values. */
  addProxyConfig(contributor: IConstruct, fragment: ProxyConfigFragment): void {
    if (this.refuseWithoutSidecar(contributor, PROXY_CONFIG_ANNOTATION)) return;
    const conflicts = this.proxyConfig.add(contributor.node.path, { ...fragment });
    this.rendered = undefined;
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    if (refuseInput(contributor, conflicts)) return;
    if (!this.proxyConfig.isEmpty) this.attachProxyConfigAnnotation();
  }

  /** A workload declared outside the mesh, or in the ambient data plane, has no proxy to read pod-level settings. */
  private refuseWithoutSidecar(contributor: IConstruct, annotation: string): boolean {
    if (isWorkloadRef(this.workload) && this.workload.dataplane === 'ambient') {
      return refuseInput(contributor, [
        statement(
          undefined,
          `${annotation} of ${describeWorkload(this.workload)} reaches no proxy: the workload runs in the ambient data plane, where ztunnel and waypoints read no pod annotation`,
          annotation === BOOTSTRAP_OVERRIDE_ANNOTATION
            ? 'a bootstrap override needs a sidecar: a waypoint cannot take one either (its template mounts no custom-bootstrap)'
            : annotation === PROXY_CONFIG_ANNOTATION
              ? 'set ProxyConfig on its waypoint: target: { waypoint: <name> }'
              : "scrape the application directly (a PodMonitor of its own port): metrics merging is the sidecar agent's",
        ),
      ]);
    }
    if (!isWorkloadRef(this.workload) || this.workload.sidecar) return false;
    return refuseInput(contributor, [
      statement(
        undefined,
        `${annotation} of ${describeWorkload(this.workload)} reaches no proxy: the workload runs outside the mesh (sidecar: false)`,
      ),
    ]);
  }

  /** Points the workload's sidecar at a bootstrap override ConfigMap; a workload has at most one. */
  setBootstrapOverride(contributor: IConstruct, configMapName: string): void {
    this.setAnnotation(contributor, BOOTSTRAP_OVERRIDE_ANNOTATION, configMapName, 'a pod reads one bootstrap override');
  }

  /**
   * Sets an annotation that holds one value per pod, such as `prometheus.io/port`; a second
   * contributor with another value is refused at synth, naming both and saying `why` there is one.
   */
  setAnnotation(contributor: IConstruct, name: string, value: string, why: string): void {
    if (!SINGLE_VALUED_ANNOTATIONS.includes(name)) throw new Error(`${name} is not a single-valued pod annotation`);
    if (this.refuseWithoutSidecar(contributor, name)) return;
    const current = this.single.get(name);
    if (current && current.value !== value) {
      refuseInput(contributor, [
        statement(
          undefined,
          `${name} of ${describeWorkload(this.workload)} is set to "${current.value}" by ${current.contributor} and to "${value}" by ${contributor.node.path}; ${why}`,
        ),
      ]);
    }
    if (current) return;
    this.single.set(name, { value, contributor: contributor.node.path });
    if (isWorkloadRef(this.workload)) this.workload.setPodAnnotation(name, () => value);
    else this.workload.podMetadata.addAnnotation(name, value);
  }

  /** The annotation is rendered at synth, once every construct has contributed. */
  private attachProxyConfigAnnotation(): void {
    if (this.attached) return;
    this.attached = true;
    if (isWorkloadRef(this.workload)) {
      this.workload.setPodAnnotation(PROXY_CONFIG_ANNOTATION, () => this.renderProxyConfig());
      return;
    }
    this.workload.podMetadata.addAnnotation(
      PROXY_CONFIG_ANNOTATION,
      Lazy.any({ produce: () => this.renderProxyConfig() }),
    );
  }

  /**
   * Takes over annotations set on the workload before any construct contributed: a built
   * workload's own, or those a reference's manifest was read with. A reference's patch replaces
   * each annotation it sets whole, so it must carry the manifest's keys too.
   */
  private adoptExistingAnnotations(): void {
    const own = isWorkloadRef(this.workload) ? this.workload.ownAnnotations : undefined;
    if (isWorkloadRef(this.workload) && own === undefined) return; // unknown: REPORT.md says what the patch replaces
    const annotations: Record<string, unknown> = own
      ? own.annotations
      : ((this.workload as Exclude<ObservedWorkload, WorkloadRef>).podMetadata.toJson().annotations ?? {});
    const byHand = own
      ? `${own.source} (the workload's own manifest)`
      : `${this.workload.node.path} (annotation set on the workload)`;
    const proxyConfig = annotations[PROXY_CONFIG_ANNOTATION];
    if (proxyConfig !== undefined) {
      let parsed: unknown;
      try {
        parsed = parse(String(proxyConfig), { version: '1.1' });
      } catch (error) {
        parsed = error;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || parsed instanceof Error) {
        // Reported at synth against the workload; the annotation is not merged with the contributions.
        refuseInput(this.workload, [
          problem(
            ['spec', 'template', 'metadata', 'annotations', PROXY_CONFIG_ANNOTATION],
            proxyConfig,
            'a YAML mapping of ProxyConfig fields',
          ),
        ]);
      } else {
        this.proxyConfig.add(byHand, parsed as Record<string, unknown>);
        this.rendered = undefined;
        // A reference's patch sets the annotation only once a construct contributes to it.
        if (!own) this.attachProxyConfigAnnotation();
      }
    }
    // Single-valued annotations set by hand count as the first contribution; a construct that sets
    // another value is refused instead of silently replacing them.
    for (const name of SINGLE_VALUED_ANNOTATIONS) {
      const value = annotations[name];
      if (typeof value === 'string') this.single.set(name, { value, contributor: byHand });
    }
  }

  /** Someone set the annotations directly after constructs contributed: their contributions would be lost. */
  private overwrittenProblems(): Problem[] {
    if (isWorkloadRef(this.workload)) return [];
    const annotations: Record<string, unknown> = this.workload.podMetadata.toJson().annotations ?? {};
    const problems: Problem[] = [];
    if (!this.proxyConfig.isEmpty && annotations[PROXY_CONFIG_ANNOTATION] !== this.renderProxyConfig()) {
      problems.push(
        statement(
          undefined,
          `${PROXY_CONFIG_ANNOTATION} of ${describeWorkload(this.workload)} was overwritten after observability constructs contributed to it; set it before adding them, or contribute through IstioPodAnnotations.addProxyConfig()`,
        ),
      );
    }
    for (const [name, { value, contributor }] of this.single) {
      if (annotations[name] === value) continue;
      problems.push(
        statement(
          undefined,
          `${name} of ${describeWorkload(this.workload)} was overwritten after ${contributor} set it`,
        ),
      );
    }
    return problems;
  }

  /** The merged ProxyConfig overrides (a copy). */
  get mergedProxyConfig(): ProxyConfigFragment {
    return this.proxyConfig.toValue() as ProxyConfigFragment;
  }

  /** The `proxy.istio.io/config` annotation value: one YAML document with sorted keys. */
  renderProxyConfig(): string {
    // YAML 1.1 as Istio reads it (sigs.k8s.io/yaml), so that strings such as `yes` or `off` are
    // quoted instead of turning into booleans; cdk8s writes manifests the same way.
    this.rendered ??= stringify(this.proxyConfig.toValue(), { sortMapEntries: true, lineWidth: 0, version: '1.1' });
    return this.rendered;
  }
}
