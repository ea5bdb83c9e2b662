import type { RenderedObject } from '../../model/objects';
import { prometheusRules, type RenderedRule } from '../../model/prometheus-rules';

/** The recorded error ratio an objective's alerts and panels read, per window (`slo:sli_error:ratio_rate5m`). */
const RATIO = /^slo:sli_error:ratio_rate(\d+[mhd])$/;

/** Rules of one source (a PrometheusRule, a rule file) that belong to objectives, by objective name. */
function byObjective(rules: readonly RenderedRule[]): Map<string, RenderedRule[]> {
  const objectives = new Map<string, RenderedRule[]>();
  for (const rule of rules) {
    const slo = rule.labels.slo;
    if (slo === undefined) continue;
    objectives.set(slo, [...(objectives.get(slo) ?? []), rule]);
  }
  return objectives;
}

/** `0.999` → `99.9%`, from a recorded objective `vector(0.999)`. */
function objectiveOf(rules: readonly RenderedRule[], sli: string): string {
  const expr = rules.find((r) => r.name === 'slo:objective:ratio' && r.labels.sli === sli)?.expr ?? '';
  const ratio = Number(/^vector\(([\d.]+)\)$/.exec(expr)?.[1]);
  return Number.isFinite(ratio) ? `${Number((ratio * 100).toPrecision(10))}%` : expr;
}

/** The window of an objective: the longest recorded ratio in days. */
function windowOf(rules: readonly RenderedRule[]): string {
  const days = rules.map((r) => RATIO.exec(r.name)?.[1]).filter((w): w is string => w?.endsWith('d') === true);
  return days.sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0] ?? '';
}

/**
 * REPORT.md's alerts: for each place rules are evaluated, the telemetry-health alerts (one line per
 * alert name, with the workloads or jobs it covers) and each objective with its indicators, the
 * query of each (its 5m error ratio) and the burn-rate alerts it creates. Read from the output's
 * rules, so what REPORT.md says is what Prometheus loads.
 */
export function alertsSection(objects: readonly RenderedObject[]): string[] {
  const rules = prometheusRules(objects);
  const sources = [...new Set(rules.filter((r) => r.kind === 'alert').map((r) => r.source))];
  if (sources.length === 0) return [];
  const lines: string[] = [];
  for (const source of sources) {
    const own = rules.filter((r) => r.source === source);
    lines.push(
      '',
      `### Alerts (${source})`,
      '',
      '| alert | severity | for | fires when |',
      '| --- | --- | --- | --- |',
    );
    const health = own.filter((r) => r.kind === 'alert' && r.labels.slo === undefined);
    for (const name of [...new Set(health.map((r) => r.name))]) {
      const alike = health.filter((r) => r.name === name);
      // A rule per kind of reporter covers every declared workload it reports; its expression is long.
      const reporters = alike.map((r) => r.labels.reported_by);
      const summary = reporters.every((r) => r !== undefined)
        ? `a declared workload's pods run and it has no standard series of its own, reported by: ${reporters.join(', ')}`
        : alike.map((r) => `\`${r.expr.replaceAll('\n', ' ')}\``).join(', or ');
      const severities = [...new Set(alike.map((r) => r.labels.severity))].join(', ');
      const durations = [...new Set(alike.map((r) => r.for ?? '0s'))].join(', ');
      lines.push(`| ${name} | ${severities} | ${durations} | ${summary.replaceAll('|', '\\|')} |`);
    }
    for (const [slo, sloRules] of byObjective(own)) {
      const slis = [...new Set(sloRules.map((r) => r.labels.sli).filter((s): s is string => s !== undefined))];
      lines.push('', `#### Objective \`${slo}\`, over ${windowOf(sloRules)}`);
      for (const sli of slis) {
        const ratio = sloRules.find((r) => r.name === 'slo:sli_error:ratio_rate5m' && r.labels.sli === sli);
        lines.push(
          '',
          `${sli}: ${objectiveOf(sloRules, sli)} of requests; its error ratio (recorded over 5m, 30m, 1h, 6h, 3d and the window):`,
          '',
          '```promql',
          ratio?.expr ?? '',
          '```',
          '',
        );
        for (const alert of sloRules.filter((r) => r.kind === 'alert' && r.labels.sli === sli)) {
          lines.push(
            `- ${alert.name} (${alert.labels.severity}, for ${alert.for}): ${alert.annotations.summary ?? ''}, when \`${alert.expr.replaceAll('\n', ' ')}\``,
          );
        }
      }
    }
  }
  return lines;
}
