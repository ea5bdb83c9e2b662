import {
  BAD_EVENTS_SERIES,
  ERROR_RATIO_SERIES,
  EVENTS_SERIES,
  MEASURES_LABEL,
  OBJECTIVE_SERIES,
  SLI_LABEL,
  SLO_LABEL,
  THRESHOLD_LABEL,
} from '../../core/contracts/slo-series';
import type { RenderedObject } from '../../model/objects';
import { prometheusRules, type RenderedRule } from '../../model/prometheus-rules';

/** Rules of one source (a PrometheusRule, a rule file) that belong to objectives, by objective name. */
function byObjective(rules: readonly RenderedRule[]): Map<string, RenderedRule[]> {
  const objectives = new Map<string, RenderedRule[]>();
  for (const rule of rules) {
    const slo = rule.labels[SLO_LABEL];
    if (slo === undefined) continue;
    objectives.set(slo, [...(objectives.get(slo) ?? []), rule]);
  }
  return objectives;
}

/** `0.999` → `99.9%`, from a recorded objective `vector(0.999)`. */
function percentOf(objective: RenderedRule | undefined): string {
  const ratio = Number(/^vector\(([\d.]+)\)$/.exec(objective?.expr ?? '')?.[1]);
  return Number.isFinite(ratio) ? `${Number((ratio * 100).toPrecision(10))}%` : (objective?.expr ?? '?');
}

/** The windows an indicator's error ratio is recorded over, shortest first. */
function windowsOf(rules: readonly RenderedRule[], sli: string): string[] {
  const seconds = (w: string) => Number.parseInt(w, 10) * ({ m: 60, h: 3600, d: 86400 }[w.slice(-1)] ?? 1);
  return rules
    .filter((r) => r.labels[SLI_LABEL] === sli)
    .map((r) => ERROR_RATIO_SERIES.exec(r.name)?.[1])
    .filter((w): w is string => w !== undefined)
    .sort((a, b) => seconds(a) - seconds(b));
}

/** An objective's lines: per indicator, what it counts, its queries and the alerts it creates. */
function objectiveLines(slo: string, rules: readonly RenderedRule[]): string[] {
  const slis = [...new Set(rules.map((r) => r.labels[SLI_LABEL]).filter((s): s is string => s !== undefined))];
  const objectives = rules.filter((r) => r.name === OBJECTIVE_SERIES);
  const measures = objectives[0]?.labels[MEASURES_LABEL];
  const lines = ['', `#### Objective \`${slo}\`${measures ? `: ${measures}` : ''}`];
  for (const sli of slis) {
    const objective = objectives.find((r) => r.labels[SLI_LABEL] === sli);
    const threshold = objective?.labels[THRESHOLD_LABEL];
    const windows = windowsOf(rules, sli);
    const query = (name: string) => rules.find((r) => r.name === name && r.labels[SLI_LABEL] === sli)?.expr ?? '';
    const counted = threshold ? `finish within ${threshold} ms` : 'succeed';
    lines.push(
      '',
      `${sli}: ${percentOf(objective)} of requests ${counted} over ${windows.at(-1) ?? '?'}. Its requests and bad requests per second (\`${EVENTS_SERIES}\`, \`${BAD_EVENTS_SERIES}\`, over 5m), whose ratio is recorded over ${windows.join(', ')} (the last, the window's bad requests over all of them) and shown in the error-budget dashboard:`,
      '',
      '```promql',
      query(EVENTS_SERIES),
      '```',
      '',
      '```promql',
      query(BAD_EVENTS_SERIES),
      '```',
      '',
    );
    for (const alert of rules.filter((r) => r.kind === 'alert' && r.labels[SLI_LABEL] === sli)) {
      lines.push(
        `- ${alert.name} (${alert.labels.severity}, for ${alert.for}): ${alert.annotations.summary ?? ''}, when \`${alert.expr.replaceAll('\n', ' ')}\``,
      );
    }
  }
  return lines;
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
    for (const [slo, sloRules] of byObjective(own)) lines.push(...objectiveLines(slo, sloRules));
  }
  return lines;
}
