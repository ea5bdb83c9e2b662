import type { Finding } from '../core/problems/finding';
import type { VersionPolicy } from '../core/version/version-policy';
import type { AppRule, ValidationContext } from './rule';

/** Every finding of every rule; a rule that throws is an error at `rootPath`, and the others still run. */
export function runRules(context: ValidationContext, rules: readonly AppRule[], rootPath: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    try {
      for (const finding of rule.check(context)) findings.push({ severity: 'error', ...finding, rule: rule.id });
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
