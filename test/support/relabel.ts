/**
 * Prometheus's relabelling, for tests: a target's labels through a list of relabel configs, in
 * either spelling (the operator's camelCase `relabelings`, `prometheus.yml`'s `relabel_configs`).
 * It follows prometheus/prometheus model/relabel/relabel.go: regexes are anchored, source labels are
 * joined by `;`, a missing label reads as empty, and a dropped target is `undefined`.
 */
type Rule = Record<string, unknown>;

export function relabel(
  labels: Readonly<Record<string, string>>,
  rules: readonly Rule[],
): Record<string, string> | undefined {
  let current: Record<string, string> = { ...labels };
  for (const rule of rules) {
    const action = String(rule.action ?? 'replace');
    const sources = (rule.sourceLabels ?? rule.source_labels ?? []) as string[];
    const separator = String(rule.separator ?? ';');
    const regex = new RegExp(`^(?:${String(rule.regex ?? '(.*)')})$`);
    const target = (rule.targetLabel ?? rule.target_label) as string | undefined;
    const replacement = String(rule.replacement ?? '$1');
    const value = sources.map((s) => current[s] ?? '').join(separator);
    switch (action) {
      case 'keep':
        if (!regex.test(value)) return undefined;
        break;
      case 'drop':
        if (regex.test(value)) return undefined;
        break;
      case 'replace': {
        const match = regex.exec(value);
        if (!match || target === undefined) break;
        const replaced = replacement.replace(/\$(\d+)|\$\{(\d+)\}/g, (_, a, b) => match[Number(a ?? b)] ?? '');
        if (replaced === '') delete current[target];
        else current[target] = replaced;
        break;
      }
      case 'labelmap': {
        const next = { ...current };
        for (const [name, v] of Object.entries(current)) {
          const match = regex.exec(name);
          if (match) next[replacement.replace(/\$(\d+)/g, (_, a) => match[Number(a)] ?? '')] = v;
        }
        current = next;
        break;
      }
      case 'labeldrop':
        current = Object.fromEntries(Object.entries(current).filter(([name]) => !regex.test(name)));
        break;
      case 'labelkeep':
        current = Object.fromEntries(Object.entries(current).filter(([name]) => regex.test(name)));
        break;
      default:
        throw new Error(`relabel action ${action} is not simulated`);
    }
  }
  return current;
}
