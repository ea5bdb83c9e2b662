import type { Finding } from '../core/problems/finding';
import type { VersionPolicy } from '../core/version/version-policy';
import type { RenderedObject } from '../model/objects';
import type { AppRule, ValidationContext } from './rule';

/**
 * The annotation that silences a rule on one object, like kube-linter's
 * `ignore-check.kube-linter.io/<check>`: `ignore-check.cdk8s-istio-observability.io/<rule id>`, its
 * value the reason, for the reviewer.
 */
export const IGNORE_CHECK_PREFIX = 'ignore-check.cdk8s-istio-observability.io/';

/** The rules `object` silences with {@link IGNORE_CHECK_PREFIX} annotations. */
export function ignoredRules(object: RenderedObject): ReadonlySet<string> {
  const keys = Object.keys(object.manifest.metadata?.annotations ?? {});
  return new Set(keys.filter((k) => k.startsWith(IGNORE_CHECK_PREFIX)).map((k) => k.slice(IGNORE_CHECK_PREFIX.length)));
}

/** Every finding of every rule; a rule that throws is an error at `rootPath`, and the others still run. */
export function runRules(context: ValidationContext, rules: readonly AppRule[], rootPath: string): Finding[] {
  const findings: Finding[] = [];
  // Objects that silence some rule, by path: most silence none, and are not looked at again.
  const silencing = new Map<string, ReadonlySet<string>>();
  for (const object of context.objects) {
    const ignored = ignoredRules(object);
    if (ignored.size > 0) silencing.set(object.path, ignored);
  }
  for (const rule of rules) {
    try {
      for (const finding of rule.check(context)) {
        if (silencing.get(finding.path)?.has(rule.id)) continue;
        findings.push({ severity: rule.severity, ...finding, rule: rule.id });
      }
    } catch (error) {
      // A rule that cannot finish must not pass silently, nor hide the other rules' findings.
      findings.push({
        severity: 'error',
        rule: rule.id,
        path: rootPath,
        what: `rule ${rule.id} could not run: ${(error as Error).message}`,
      });
    }
  }
  return findings;
}

/** The CRD bundles (files in schemas/crds) the objects of these targets are checked against. */
export function crdBundlesOf(policies: readonly VersionPolicy[]): string[] {
  return [...new Set(policies.flatMap((p) => p.crdSchemaBundles))];
}
