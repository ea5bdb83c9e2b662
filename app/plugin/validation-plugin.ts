import { APP_RULES } from '../../analysis/rule-catalog';
import { formatFinding } from '../../core/problems/finding';
import { describeProblem } from '../../core/problems/problem';
import { renderLocation } from '../../core/problems/source-location';
import { VersionPolicy } from '../../core/version/version-policy';
import { lintManifestFiles } from '../lint/lint-stream';
import { lintRules } from '../lint/manifest-validator';

/**
 * The parts of cdk8s-cli's validation plugin contract (`cdk8s-cli/lib/plugins/validation`) this
 * plugin uses, declared here so that the package does not depend on the CLI at run time.
 */
export interface Cdk8sValidationContext {
  /** The manifests `cdk8s synth` wrote. */
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: readonly {
        readonly resourceName: string;
        readonly locations: readonly string[];
        readonly manifestPath: string;
      }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
}

/** `properties:` of the plugin's entry under `validations:` in cdk8s.yaml. */
export interface IstioObservabilityValidationProps {
  /** The Istio release the synthesized objects must work on, e.g. `"1.30"` (quoted in YAML). */
  readonly istioVersion: string;
  /**
   * Ids of rules not to run; one object silences a rule with the annotation
   * `ignore-check.cdk8s-istio-observability.io/<rule id>` instead.
   * @default none
   */
  readonly disable?: readonly string[];
}

/**
 * This library's validation as a cdk8s-cli validation plugin: `cdk8s synth` runs every rule
 * (schemas, Istio versions, CEL, regexes, Envoy's bootstrap proto, cross-object references) on
 * every object the app synthesized, whether our constructs built it or not (a hand-written
 * Telemetry or EnvoyFilter), and fails on errors. Warnings are logged. List it in `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-observability/plugin.js
 *     class: IstioObservabilityValidation
 *     version: 0.1.0
 *     properties: { istioVersion: "1.30" }
 * ```
 */
export class IstioObservabilityValidation {
  private readonly istioVersion: string;
  private readonly disable: readonly string[];

  /** @throws Error naming the property when `istioVersion` is not a release the library implements */
  constructor(props: IstioObservabilityValidationProps) {
    const given = (props as Partial<IstioObservabilityValidationProps> | undefined)?.istioVersion;
    const policy = VersionPolicy.resolve(String(given));
    if (!(policy instanceof VersionPolicy)) {
      throw new Error(`cdk8s.yaml validations[IstioObservabilityValidation].properties.${describeProblem(policy)}`);
    }
    this.istioVersion = String(given);
    const disable = (props as Partial<IstioObservabilityValidationProps> | undefined)?.disable ?? [];
    this.disable = Array.isArray(disable) ? disable.map(String) : [String(disable)];
    try {
      lintRules({ istioVersion: this.istioVersion, disable: this.disable });
    } catch (error) {
      throw new Error(`cdk8s.yaml validations[IstioObservabilityValidation].properties.${(error as Error).message}`);
    }
  }

  async validate(context: Cdk8sValidationContext): Promise<void> {
    const files = await lintManifestFiles(context.manifests, {
      istioVersion: this.istioVersion,
      complete: true,
      disable: this.disable,
    });
    const findings = files.findings;
    const errors = findings.filter((f) => f.severity === 'error');
    for (const warning of findings.filter((f) => f.severity === 'warning')) {
      context.logger.log(`warning: ${formatFinding(warning)} (${warning.rule})`);
    }
    for (const problem of files.problems) {
      context.report.addViolation({
        ruleName: 'yaml',
        recommendation: 'every manifest is a YAML stream of Kubernetes objects',
        fix: describeProblem(problem),
        violatingResources: [
          {
            resourceName: '-',
            locations: [renderLocation(problem.location)],
            manifestPath: problem.location.file,
          },
        ],
      });
    }
    for (const rule of APP_RULES) {
      const found = errors.filter((f) => f.rule === rule.id);
      if (found.length === 0) continue;
      context.report.addViolation({
        ruleName: rule.id,
        recommendation: rule.remediation,
        fix:
          [...new Set(found.flatMap((f) => (f.hint ? [f.hint] : [])))].join('; ') ||
          `see each location, and ${rule.docs} in the package`,
        // cdk8s-cli maps the object's name to the construct path it recorded.
        violatingResources: found.map((f) => ({
          resourceName: f.object?.name ?? f.path,
          locations: [`${f.location ? renderLocation(f.location) : ''} [${f.path}] ${describeProblem(f)}`],
          manifestPath: f.location?.file ?? '',
        })),
      });
    }
    context.report.submit(errors.length + files.problems.length > 0 ? 'failure' : 'success', {
      istioVersion: this.istioVersion,
      errors: String(errors.length + files.problems.length),
      warnings: String(findings.length - errors.length),
    });
  }
}
