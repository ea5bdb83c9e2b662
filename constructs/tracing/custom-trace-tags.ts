import { Construct } from 'constructs';
import {
  environmentTagProblems,
  headerTagProblems,
  literalTagProblems,
  tagNameProblems,
} from '../../core/checks/custom-tag-checks';
import { problem, throwIfProblems } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import { type Problem, statement, under } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { CustomTagConfig } from '../proxy-config/proxy-config-fragment';
import type { ProxyTarget } from '../proxy-config/proxy-target';

/** Where a custom span tag takes its value from. */
export class CustomTag {
  /** A fixed value, e.g. `CustomTag.literal('Test Tag')`. */
  static literal(value: string): CustomTag {
    return new CustomTag({ literal: { value } }, literalTagProblems(value));
  }

  /** The value of an environment variable of the proxy container (it must be set there, istio/api@1.30.3:mesh/v1alpha1/proxy.proto). */
  static environment(name: string, defaultValue?: string): CustomTag {
    return new CustomTag({ environment: defined({ name, defaultValue }) }, environmentTagProblems(name));
  }

  /** The value of a request header, e.g. `CustomTag.header('x-user-id', 'unknown')`. */
  static header(name: string, defaultValue?: string): CustomTag {
    return new CustomTag({ header: defined({ name, defaultValue }) }, headerTagProblems(name));
  }

  /**
   * An Envoy access-log formatter, e.g. `%REQUESTED_SERVER_NAME%` (Telemetry API tracing on
   * Istio 1.29+ only; ProxyConfig has no formatter tags).
   */
  static formatter(value: string): CustomTag {
    const problems =
      typeof value === 'string' && /%[A-Z_]+(\([^)]*\))?(:\d+)?%/.test(value)
        ? []
        : [problem(['formatter'], value, 'an Envoy command operator such as "%REQUESTED_SERVER_NAME%"')];
    return new CustomTag({ formatter: { value } }, problems);
  }

  private constructor(
    /** The ProxyConfig `customTags` entry. */
    readonly config: CustomTagConfig,
    /** Problems found in the arguments, reported by the construct that uses the tag. */
    readonly problems: readonly Problem[],
  ) {}
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface CustomTraceTagsProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies whose spans get the tags: the whole mesh, or one workload. */
  readonly target: ProxyTarget;
  /**
   * Tags by name.
   * @default - none; add them with addTag()
   */
  readonly tags?: Readonly<Record<string, CustomTag>>;
}

/**
 * Adds custom tags to the spans the proxies report: ProxyConfig `tracing.customTags` with
 * ProxyConfig tracing, the target Telemetry's `tracing[].customTags` with Telemetry API tracing
 * (where a workload's tags replace, not extend, the mesh's; istio/api@1.30.3:telemetry/v1alpha1/telemetry.proto).
 */
export class CustomTraceTags extends Construct {
  private readonly mesh: IstioMesh;
  private readonly target: ProxyTarget;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: CustomTraceTagsProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.target = props.target;
    // Every tag is checked before any is contributed, so a refused construct contributes nothing.
    const tags = Object.entries(props.tags ?? {});
    if (
      refuseInput(
        this,
        tags.flatMap(([name, tag]) => this.tagProblems(name, tag)),
      )
    )
      return;
    for (const [name, tag] of tags) this.contributeTag(name, tag);
  }

  /** Adds tag `name`; each name once. */
  addTag(name: string, tag: CustomTag): void {
    throwIfProblems(this, this.tagProblems(name, tag));
    this.contributeTag(name, tag);
  }

  private tagProblems(name: string, tag: CustomTag): Problem[] {
    const problems = tag.problems.map((p) => under(['tags', name], p));
    if (this.names.has(name)) problems.push(statement(['tags', name], 'is already added; each tag name once'));
    problems.push(...tagNameProblems(name));
    if (tag.config.formatter !== undefined) {
      const field = ['tags', name, 'formatter'];
      if (this.mesh.tracing !== 'telemetry-api') {
        problems.push(
          problem(field, tag.config.formatter.value, 'a literal, environment or header tag', {
            what: 'formatter tags exist only in Telemetry API tracing',
            hint: 'set the mesh tracing mechanism to "telemetry-api"',
          }),
        );
      }
      const gate = this.mesh.policy.featureProblem('telemetryTagFormatter', field, tag.config.formatter.value, {
        expected: 'a literal, environment or header tag',
      });
      if (gate) problems.push(gate);
    }
    return problems;
  }

  private contributeTag(name: string, tag: CustomTag): void {
    this.names.add(name);
    switch (this.mesh.tracing) {
      case 'proxy-config':
        this.target.contribute(this.mesh, this, { tracing: { customTags: { [name]: tag.config } } });
        return;
      case 'telemetry-api':
        this.mesh.telemetry.addTracing(this, this.target, { customTags: { [name]: { ...tag.config } } });
        return;
    }
  }
}
