import { OBJECTIVE_SERIES, SLI_LABEL, SLO_LABEL } from '../../core/contracts/slo-series';
import type { RenderedObject } from '../../model/objects';
import { prometheusRules, type RenderedRule } from '../../model/prometheus-rules';

/** An alert as a reviewer names it: where it is evaluated, its name and the labels that tell it apart. */
function alertKey(rule: RenderedRule): string {
  const labels = Object.entries(rule.labels)
    .filter(([k]) => k !== 'severity')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}="${v}"`);
  return `${rule.name}${labels.length > 0 ? `{${labels.join(', ')}}` : ''} (${rule.source})`;
}

/** Every alert of the objects, by key; a key repeated (the same alert twice) keeps its last rule. */
function alertsByKey(objects: readonly RenderedObject[]): Map<string, RenderedRule> {
  return new Map(
    prometheusRules(objects)
      .filter((r) => r.kind === 'alert')
      .map((r) => [alertKey(r), r]),
  );
}

/**
 * What the recording rules of each objective's indicator compute, by `slo/sli`: a burn-rate alert
 * reads only their series, so a new threshold or target changes when it fires through them.
 */
function recordedByIndicator(objects: readonly RenderedObject[]): Map<string, string> {
  const recorded = new Map<string, string[]>();
  for (const r of prometheusRules(objects)) {
    const slo = r.labels[SLO_LABEL];
    // The objective series is for people and panels; the alerts read the rates and ratios.
    if (r.kind !== 'record' || slo === undefined || r.name === OBJECTIVE_SERIES) continue;
    const key = `${r.source} ${slo}/${r.labels[SLI_LABEL] ?? ''}`;
    recorded.set(key, [...(recorded.get(key) ?? []), `${r.name} ${JSON.stringify(r.labels)} ${r.expr}`]);
  }
  return new Map([...recorded].map(([k, v]) => [k, v.sort().join('\n')]));
}

/**
 * What a change does to the alerts: each alert added or removed, and for each one kept, what
 * changed about when it fires (its expression, its `for`, its severity, the objective's recorded
 * error ratio it reads). The lines `diff` prints,
 * sorted by alert, so a reviewer sees paging change before the YAML does.
 */
export function alertChanges(before: readonly RenderedObject[], after: readonly RenderedObject[]): string[] {
  const old = alertsByKey(before);
  const fresh = alertsByKey(after);
  const oldRecorded = recordedByIndicator(before);
  const freshRecorded = recordedByIndicator(after);
  const keys = [...new Set([...old.keys(), ...fresh.keys()])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    const a = old.get(key);
    const b = fresh.get(key);
    if (!a && b) lines.push(`+ ${key}: added (${b.labels.severity ?? 'no severity'}, for ${b.for ?? '0s'})`);
    else if (a && !b) lines.push(`- ${key}: removed`);
    else if (a && b) {
      const changed = [
        ...(a.expr !== b.expr ? ['expression changed'] : []),
        ...(a.for !== b.for ? [`for ${a.for ?? '0s'} → ${b.for ?? '0s'}`] : []),
        ...(a.labels.severity !== b.labels.severity ? [`severity ${a.labels.severity} → ${b.labels.severity}`] : []),
      ];
      const indicator = `${b.source} ${b.labels[SLO_LABEL]}/${b.labels[SLI_LABEL] ?? ''}`;
      if (b.labels[SLO_LABEL] !== undefined && oldRecorded.get(indicator) !== freshRecorded.get(indicator)) {
        changed.push('the error ratio it reads changed');
      }
      if (changed.length > 0) lines.push(`~ ${key}: ${changed.join(', ')}`);
    }
  }
  return lines;
}
