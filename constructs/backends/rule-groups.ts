/**
 * Prometheus rules as the generated backends write them, once for both consumers: a
 * PrometheusRule's `spec.groups` (Prometheus Operator) and a plain rule file's `groups:`.
 */

/** A recording rule: the series name (`level:metric:operations`), its PromQL and labels it adds. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** An alerting rule, with the labels Alertmanager routes on and the text a responder reads. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition holds before the alert fires, a Prometheus duration. */
  readonly for: string;
  /** `severity` (`critical` pages, `warning` is a ticket) and what the alert is about. */
  readonly labels: Readonly<Record<string, string>>;
  /** `summary`, `description` and `runbook_url`. */
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export function isAlertRule(rule: Rule): rule is AlertRule {
  return 'alert' in rule;
}

/** A group as Prometheus reads it (the same keys in a PrometheusRule and a rule file). */
export function ruleGroupJson(group: RuleGroup): Record<string, unknown> {
  return {
    name: group.name,
    rules: group.rules.map((r) =>
      isAlertRule(r)
        ? { alert: r.alert, expr: r.expr, for: r.for, labels: { ...r.labels }, annotations: { ...r.annotations } }
        : { record: r.record, expr: r.expr, ...(r.labels ? { labels: { ...r.labels } } : {}) },
    ),
  };
}

/** A PromQL string literal: `"..."` with backslashes and quotes escaped (Go's escapes). */
export function promString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** `{a="x", b=~"y"}` from matchers already written as PromQL, or nothing without any. */
export function braces(matchers: readonly string[]): string {
  return matchers.length > 0 ? `{${matchers.join(', ')}}` : '';
}

/** `label="value"` with the value quoted as PromQL reads it. */
export function eq(label: string, value: string): string {
  return `${label}=${promString(value)}`;
}

/** `label=~"regex"` with the regex quoted as PromQL reads it. */
export function matches(label: string, regex: string): string {
  return `${label}=~${promString(regex)}`;
}

/** The number as PromQL reads it, without binary floating-point noise (`0.001`, not `0.0009999999999999432`). */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
