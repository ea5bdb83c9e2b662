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
 * What a change does to the alerts: each alert added or removed, and for each one kept, what
 * changed about when it fires (its expression, its `for`, its severity). The lines `diff` prints,
 * sorted by alert, so a reviewer sees paging change before the YAML does.
 */
export function alertChanges(before: readonly RenderedObject[], after: readonly RenderedObject[]): string[] {
  const old = alertsByKey(before);
  const fresh = alertsByKey(after);
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
      if (changed.length > 0) lines.push(`~ ${key}: ${changed.join(', ')}`);
    }
  }
  return lines;
}
