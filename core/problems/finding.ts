import { byCodePoint } from '../merge/sorted-entries';
import { renderField } from './field-path';
import { describeProblem, describeProblemWithHint, type Problem } from './problem';
import { renderLocation, type SourceLocation } from './source-location';

/** How bad a finding is: errors stop the synth, warnings are printed and never fail it. */
export type Severity = 'error' | 'warning';

/** The Kubernetes object a finding is about, when it is one (objects read from files, rendered objects). */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * One problem found by a validation rule or a construct, located at a construct path, a field
 * and, when known, a place in a file. Data: the command line, the cdk8s-cli plugin and the JSON
 * and SARIF reports each render it their way (see {@link formatFinding}).
 */
export interface Finding extends Problem {
  readonly severity: Severity;
  /** The rule that produced it (see rule-catalog.ts). */
  readonly rule: string;
  /**
   * Construct path of the construct or object at fault, e.g. `default/istioinaction/get-calls`;
   * for an object read from a file, `<Kind>/<namespace>/<name>`.
   */
  readonly path: string;
  /** Where it was declared: the config file key, or the field's line in a linted file. */
  readonly location?: SourceLocation;
  /** The object at fault, when the finding is about one. */
  readonly object?: ObjectRef;
}

/** `observability.yaml:12:5 [default/istioinaction/get-calls] value: ...; hint: ...` */
export function formatFinding(finding: Finding): string {
  const where = finding.location ? `${renderLocation(finding.location)} ` : '';
  return `${where}[${finding.path}] ${describeProblemWithHint(finding)}`;
}

/**
 * Errors first, then by path, message and rule, compared by code point (never by locale), so
 * that reports are the same on every machine.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  const keyed = findings.map((finding) => ({ finding, message: describeProblem(finding) }));
  return keyed
    .sort(
      (a, b) =>
        rank(a.finding) - rank(b.finding) ||
        byCodePoint(a.finding.path, b.finding.path) ||
        byCodePoint(a.message, b.message) ||
        byCodePoint(a.finding.rule, b.finding.rule),
    )
    .map(({ finding }) => finding);
}

/** The finding's field as text, e.g. `spec.tracing[0].randomSamplingPercentage`, or `''`. */
export function findingField(finding: Finding): string {
  return finding.field ? renderField(finding.field) : '';
}

/** Thrown when validation finds errors; carries every finding (warnings too) and renders them one per line. */
export class ValidationFailedError extends Error {
  readonly findings: readonly Finding[];

  constructor(findings: readonly Finding[]) {
    const sorted = sortFindings(findings);
    const errors = sorted.filter((f) => f.severity === 'error');
    super(
      `${errors.length} error(s) in the observability configuration:\n${errors.map((f) => `  ${formatFinding(f)}`).join('\n')}`,
    );
    this.name = 'ValidationFailedError';
    this.findings = sorted;
  }

  get warnings(): Finding[] {
    return this.findings.filter((f) => f.severity === 'warning');
  }
}
