import { byCodePoint } from '../merge/sorted-entries';

/** How bad a finding is: errors stop the synth, warnings are printed and never fail it. */
export type Severity = 'error' | 'warning';

/**
 * One problem found by a validation rule, located at a construct path and a field.
 *
 * Rendered on one line: `[path] message`, where the message follows `field: ...` (see `problem()`
 * in errors.ts), plus `; hint: ...` where the fix is known.
 */
export interface Finding {
  readonly severity: Severity;
  /** The rule that produced it (see rule-catalog.ts). */
  readonly rule: string;
  /** Construct path of the construct or object at fault, e.g. `default/istioinaction/get-calls`. */
  readonly path: string;
  /** `field: what is wrong`, with the value given and what is expected. */
  readonly message: string;
  readonly hint?: string;
  /** Where the construct was declared in a config file, e.g. `observability.yaml:12:5`, when known. */
  readonly location?: string;
}

/** `observability.yaml:12:5 [default/istioinaction/get-calls] value: ...; hint: ...` */
export function formatFinding(finding: Finding): string {
  const where = finding.location ? `${finding.location} ` : '';
  const hint = finding.hint ? `; hint: ${finding.hint}` : '';
  return `${where}[${finding.path}] ${finding.message}${hint}`;
}

/**
 * Errors first, then by path, message and rule, compared by code point (never by locale), so
 * that reports are the same on every machine.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      byCodePoint(a.path, b.path) ||
      byCodePoint(a.message, b.message) ||
      byCodePoint(a.rule, b.rule),
  );
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
