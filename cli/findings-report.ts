import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { APP_RULES, INPUT_RULES } from '../analysis/rule-catalog';
import type { ConfigProblem } from '../app/config/config-file';
import { renderField } from '../core/problems/field-path';
import type { Finding } from '../core/problems/finding';
import { describeProblem, describeProblemWithHint } from '../core/problems/problem';
import { SCHEMAS_DIR } from '../core/schemas-dir';

/** How `validate` and synth print what they found. */
export type ReportFormat = 'text' | 'json' | 'sarif';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif'];

/** Rules that are not app or input rules: the front ends' own. */
const FRONT_END_RULES: readonly { readonly id: string; readonly summary: string }[] = [
  { id: 'yaml', summary: 'Every file is a YAML stream of Kubernetes objects.' },
  { id: 'config', summary: 'The config file parses and matches schemas/observability.schema.json.' },
  { id: 'input', summary: "A construct refuses a value of its props (see the field's expected value)." },
  { id: 'construct', summary: "A construct's own check at synth (e.g. an annotation overwritten after it was set)." },
];

const PACKAGE = JSON.parse(readFileSync(join(dirname(SCHEMAS_DIR), 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

/** One finding as JSON: every field of the data, plus the line a person reads. */
export function findingJson(finding: Finding): Record<string, unknown> {
  return {
    severity: finding.severity,
    rule: finding.rule,
    path: finding.path,
    ...(finding.field ? { field: renderField(finding.field), fieldPath: finding.field } : {}),
    ...('value' in finding ? { value: finding.value ?? null } : {}),
    ...(finding.expected !== undefined ? { expected: finding.expected } : {}),
    ...(finding.what !== undefined ? { what: finding.what } : {}),
    ...(finding.hint !== undefined ? { hint: finding.hint } : {}),
    ...(finding.source !== undefined ? { source: finding.source } : {}),
    ...(finding.location ? { location: finding.location } : {}),
    ...(finding.object ? { object: finding.object } : {}),
    message: describeProblem(finding),
  };
}

/** `{ tool, istioVersion, summary, findings }`, two-space indented, newline-terminated. */
export function findingsJson(findings: readonly Finding[], meta: { readonly istioVersion?: string } = {}): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return `${JSON.stringify(
    {
      tool: { name: PACKAGE.name, version: PACKAGE.version },
      ...(meta.istioVersion !== undefined ? { istioVersion: meta.istioVersion } : {}),
      summary: { errors, warnings: findings.length - errors },
      findings: findings.map(findingJson),
    },
    null,
    2,
  )}\n`;
}

/**
 * A file path as a SARIF artifact URI: a relative path stays relative (code scanning resolves it
 * against the repository root), an absolute one becomes a `file://` URI.
 */
function artifactUri(file: string): string {
  const path = file.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
  return isAbsolute(file) ? `file://${path}` : path;
}

/**
 * A SARIF 2.1.0 log (OASIS "Static Analysis Results Interchange Format"), which GitHub code
 * scanning shows inline in pull requests: one result per finding, located at its file, line
 * and column when it has one, and at its construct path or object (`logicalLocations`) always.
 */
export function findingsSarif(findings: readonly Finding[]): string {
  const rules = [...APP_RULES, ...INPUT_RULES, ...FRONT_END_RULES];
  const used = [...new Set(findings.map((f) => f.rule))].sort();
  const descriptors = used.map((id) => ({
    id,
    shortDescription: { text: rules.find((r) => r.id === id)?.summary ?? id },
  }));
  const results = findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: used.indexOf(finding.rule),
    level: finding.severity,
    message: { text: describeProblemWithHint(finding) },
    locations: [
      {
        ...(finding.location
          ? {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(finding.location.file) },
                ...(finding.location.line !== undefined
                  ? {
                      region: {
                        startLine: finding.location.line,
                        ...(finding.location.column !== undefined ? { startColumn: finding.location.column } : {}),
                      },
                    }
                  : {}),
              },
            }
          : {}),
        logicalLocations: [{ fullyQualifiedName: finding.path, kind: 'resource' }],
      },
    ],
    properties: {
      ...(finding.field ? { field: renderField(finding.field) } : {}),
      ...(finding.expected !== undefined ? { expected: finding.expected } : {}),
      ...(finding.hint !== undefined ? { hint: finding.hint } : {}),
    },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: PACKAGE.name,
            version: PACKAGE.version,
            rules: descriptors,
          },
        },
        // Columns come from the yaml parser's offsets into JavaScript strings.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A config file's problems as findings of rule `config`, at the file (or the cluster) and its key. */
export function configFindings(problems: readonly ConfigProblem[]): Finding[] {
  return problems.map(({ cluster, ...problem }) => ({
    ...problem,
    severity: 'error',
    rule: 'config',
    path: cluster === undefined ? '(config)' : `clusters.${cluster}`,
  }));
}
