import type { ApiObject } from 'cdk8s';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { PrometheusInstance } from './prometheus-instance';
import { type RuleGroup, ruleGroupJson } from './rule-groups';
import type { ScrapeJobs } from './scrape-jobs';
import { ServiceLevelObjective } from './service-level-objective';
import { telemetryHealthGroups } from './telemetry-health-alerts';

/**
 * Where each alert's runbook is: docs/alerts.md of the published package, one section per alert.
 * A team that keeps its own copy points {@link MeshAlertRulesProps.runbookUrl} at it.
 */
export const DEFAULT_RUNBOOK_URL = 'https://unpkg.com/cdk8s-istio-observability/docs/alerts.md';

/** The runbook link of an alert: the page and the alert's anchor (GitHub's lower-cased heading). */
export function runbookLink(base: string): (alert: string) => string {
  return (alert) => `${base}#${alert.toLowerCase()}`;
}

/** Problems with a runbook base URL. */
export function runbookUrlProblems(url: string): Problem[] {
  return /^https?:\/\/[^\s#]+$/.test(url)
    ? []
    : [problem(['runbookUrl'], url, 'an http(s) URL without a fragment (each alert adds its own #anchor)')];
}

/** Every rule group the mesh's alerts and objectives make for one Prometheus, telemetry health first. */
export function alertRuleGroups(mesh: IstioMesh, jobs: ScrapeJobs, runbookUrl: string): RuleGroup[] {
  const runbook = runbookLink(runbookUrl);
  return [
    ...telemetryHealthGroups(mesh, jobs, runbook),
    ...ServiceLevelObjective.of(mesh).map((slo) => slo.ruleGroup(runbook)),
  ];
}

export interface MeshAlertRulesProps {
  readonly mesh: IstioMesh;
  /** The Prometheus that selects the rules. */
  readonly prometheus: PrometheusInstance;
  /** What that Prometheus scrapes, so the rules read the series under their `job` labels. */
  readonly jobs: ScrapeJobs;
  /** The page each alert's `runbook_url` points into. @default DEFAULT_RUNBOOK_URL */
  readonly runbookUrl?: string;
}

/**
 * The alerts of a Prometheus Operator Prometheus, in PrometheusRule `istio-alert-rules`: the
 * telemetry's own health (see telemetry-health-alerts.ts), then each {@link ServiceLevelObjective}'s
 * group of error ratios and burn-rate alerts. The groups follow the declarations when the app is
 * synthesized, wherever in the app they were made.
 */
export class MeshAlertRules extends Construct {
  readonly rule: ApiObject;

  constructor(scope: Construct, id: string, props: MeshAlertRulesProps) {
    super(scope, id);
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL;
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, [...props.prometheus.problems(['prometheus']), ...runbookUrlProblems(runbookUrl)]);
    this.rule = new PrometheusRule(this, 'Resource', {
      metadata: {
        name: 'istio-alert-rules',
        namespace: props.prometheus.namespace,
        labels: { ...props.prometheus.selectorLabels },
      },
      spec: {
        groups: Lazy.any({
          produce: () =>
            alertRuleGroups(props.mesh, props.jobs, runbookUrl).map((g) => {
              const json = ruleGroupJson(g);
              // The generated types keep an expression as PrometheusRuleSpecGroupsRulesExpr (int or string).
              const rules = (json.rules as { expr: string }[]).map((r) => ({
                ...r,
                expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
              }));
              return { ...json, rules };
            }),
        }),
      },
    });
  }
}
