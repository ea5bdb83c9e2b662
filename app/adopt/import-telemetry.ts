import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { TelemetryPolicy } from '../../model/telemetry-precedence';
import { describeObject } from './config-draft';
import { targetRefTargets } from './import-ambient';
import {
  affectedBy,
  defaultAccessLogProviders,
  type ImportContext,
  type MetricsMechanism,
  suffixed,
  workloadsOf,
} from './import-context';
import { addAccessLog, addTracer, dimensionValues } from './import-declarations';
import { customTagsOf, proxiesOfMode, standardMetricOf, Untranslatable } from './import-pieces';

export function importTelemetry(ctx: ImportContext, metrics: MetricsMechanism): void {
  const { draft } = ctx;
  for (const policy of ctx.telemetry.policies) {
    const { object } = policy;
    const from = draft.source(object);
    let targets: { target: unknown; label: string }[];
    if (policy.scope === 'root' || policy.scope === 'namespace') {
      const first = ctx.telemetry.namespaceWideIn(policy.namespace)[0];
      if (first !== policy) {
        draft.conflict(
          from,
          `istiod applies only the oldest namespace-wide Telemetry of ${policy.namespace}, ${describeObject(first?.object ?? object)}, and ignores this one, so it is not imported`,
        );
        draft.replaced.add(object.path);
        continue;
      }
      targets = [{ target: policy.scope === 'root' ? 'mesh' : { namespace: policy.namespace }, label: policy.name }];
    } else if (policy.targetRefs.length > 0 && !policy.selector) {
      // A waypoint's Gateway, or the Service of an ambient workload (Istio 1.24 and later).
      const bound = targetRefTargets(ctx, policy);
      if (!bound) {
        draft.skip(
          from,
          "a Telemetry bound by targetRefs is imported for a waypoint or an ambient workload's Service the input holds; this one names neither; keep applying it",
          ['dimensions', 'sampling', 'custom tags', 'tracer', 'access log'],
        );
        continue;
      }
      targets = bound;
    } else {
      const selected = workloadsOf(ctx, policy);
      const ignored = ctx.workloads.filter((w) => ctx.telemetry.appliedTo(w.template).ignored.includes(policy));
      for (const w of ignored) {
        draft.conflict(
          from,
          `selects ${w.reviewName}, where this release applies only the oldest matching Telemetry; not imported for it`,
        );
      }
      if (selected.length === 0) {
        draft.skip(
          from,
          'selects no workload of the input; declare the workload (workloads.<name>) and import again, or keep applying it',
          [],
        );
        continue;
      }
      // One workload: the Telemetry's own name; several: one declaration each, named for both.
      targets = selected.map((w) => ({
        target: { workload: w.key },
        label: selected.length === 1 ? policy.name : `${policy.name}-${w.key}`,
      }));
    }
    draft.replaced.add(object.path);
    for (const { target, label } of targets) importTelemetrySpec(ctx, policy, target, label, metrics);
  }
}

export function importTelemetrySpec(
  ctx: ImportContext,
  policy: TelemetryPolicy,
  target: unknown,
  label: string,
  metrics: MetricsMechanism,
): void {
  const { draft } = ctx;
  const { object, spec } = policy;
  const affected = affectedBy(ctx, target);
  listOf(spec.metrics).forEach((entry, i) => {
    const at = ['spec', 'metrics', i];
    const providers = listOf(mappingAt(entry).providers).map((p) => mappingAt(p).name);
    if (metrics !== 'telemetry-api') {
      draft.skip(
        draft.source(object, at),
        `the declaration customizes metrics with the Telemetry API from Istio 1.18, where istiod builds the stats filter (istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml); at ${ctx.options.istioVersion} the install's stats-filter EnvoyFilters carry the metrics`,
        ['dimensions'],
        affected,
      );
      return;
    }
    if (providers.some((p) => p !== 'prometheus')) {
      draft.skip(
        draft.source(object, [...at, 'providers']),
        `names metrics providers ${JSON.stringify(providers)}; the declaration customizes the prometheus provider only`,
        ['dimensions'],
        affected,
      );
    }
    listOf(mappingAt(entry).overrides).forEach((override, j) => {
      if (!isMapping(override)) return;
      const where = [...at, 'overrides', j];
      const match = mappingAt(override, 'match');
      if (override.disabled === true) {
        draft.skip(
          draft.source(object, [...where, 'disabled']),
          'turning a metric off has no declaration',
          ['dimensions'],
          affected,
        );
        return;
      }
      if (match.customMetric !== undefined) {
        draft.skip(
          draft.source(object, [...where, 'match', 'customMetric']),
          'a tag override of a custom metric has no declaration (metricDefinitions declare their own labels)',
          ['dimensions'],
          affected,
        );
        return;
      }
      const metric = typeof match.metric === 'string' ? standardMetricOf(match.metric) : undefined;
      if (!metric) {
        draft.skip(
          draft.source(object, [...where, 'match']),
          `matches ${JSON.stringify(match.metric ?? 'ALL_METRICS')}; the declaration names one standard metric per entry`,
          ['dimensions'],
          affected,
        );
        return;
      }
      const dimensions: Record<string, unknown> = {};
      const removed: string[] = [];
      for (const [tag, value] of Object.entries(mappingAt(override, 'tagOverrides'))) {
        const op = mappingAt(value);
        if (op.operation === 'REMOVE') removed.push(tag);
        else if (typeof op.value === 'string') dimensions[tag] = op.value;
      }
      const proxies = proxiesOfMode(match.mode);
      draft.add(
        'metricDimensions',
        suffixed(label, metric),
        {
          metric,
          ...(proxies ? { proxies } : {}),
          ...(Object.keys(dimensions).length > 0 ? { dimensions: dimensionValues(ctx, dimensions) } : {}),
          ...(removed.length > 0 ? { tagsToRemove: removed } : {}),
          ...(target !== 'mesh' ? { target } : {}),
        },
        draft.source(object, where),
      );
    });
  });
  const [tracing, ...more] = listOf(spec.tracing).filter(isMapping);
  if (more.length > 0)
    draft.skip(draft.source(object, ['spec', 'tracing', 1]), 'istiod reads only the first tracing entry', []);
  if (tracing) importTelemetryTracing(ctx, policy, tracing, target, label, affected);
  listOf(spec.accessLogging).forEach((entry, i) => {
    if (!isMapping(entry)) return;
    const where = ['spec', 'accessLogging', i];
    if (entry.match !== undefined) {
      draft.skip(
        draft.source(object, [...where, 'match']),
        'an access log for client or server traffic only has no declaration',
        ['access log'],
        affected,
      );
      return;
    }
    const names = listOf(entry.providers)
      .map((p) => mappingAt(p).name)
      .filter((n): n is string => typeof n === 'string');
    const filter = mappingAt(entry, 'filter').expression;
    const common = {
      target,
      ...(typeof filter === 'string' ? { filter } : {}),
      ...(entry.disabled === true ? { disabled: true } : {}),
    };
    if (entry.disabled === true && names.length === 0) {
      draft.add('accessLogging', suffixed(label, 'access-log-off'), common, draft.source(object, where));
      return;
    }
    // No providers: the mesh's default access log providers, if it has any.
    const used = names.length > 0 ? names : defaultAccessLogProviders(ctx);
    if (used.length === 0) {
      draft.skip(
        draft.source(object, where),
        'names no provider, and the mesh config names no default access log provider (defaultProviders.accessLogging), so it logs nothing',
        [],
      );
      return;
    }
    for (const name of used) addAccessLog(ctx, name, common, draft.source(object, where), affected);
  });
}

export function importTelemetryTracing(
  ctx: ImportContext,
  policy: TelemetryPolicy,
  tracing: JsonMapping,
  target: unknown,
  label: string,
  affected: readonly string[] | undefined,
): void {
  const { draft } = ctx;
  const { object } = policy;
  const at = ['spec', 'tracing', 0];
  if (typeof tracing.randomSamplingPercentage === 'number') {
    draft.add(
      'traceSampling',
      suffixed(label, 'sampling'),
      { target, percentage: tracing.randomSamplingPercentage },
      draft.source(object, [...at, 'randomSamplingPercentage']),
    );
  }
  if (isMapping(tracing.customTags)) {
    const tags = customTagsOf(tracing.customTags);
    if (tags instanceof Untranslatable)
      draft.skip(draft.source(object, [...at, 'customTags']), tags.why, ['custom tags'], affected);
    else
      draft.add(
        'customTraceTags',
        suffixed(label, 'trace-tags'),
        { target, tags },
        draft.source(object, [...at, 'customTags']),
      );
  }
  for (const [i, provider] of listOf(tracing.providers).entries()) {
    const name = mappingAt(provider).name;
    if (typeof name === 'string') addTracer(ctx, name, target, draft.source(object, [...at, 'providers', i]), affected);
  }
  for (const key of ['disableSpanReporting', 'match', 'useRequestIdForTraceSampling', 'enableIstioTags']) {
    if (tracing[key] !== undefined && !(key === 'disableSpanReporting' && tracing[key] === false)) {
      draft.skip(
        draft.source(object, [...at, key]),
        `Telemetry tracing ${key} has no declaration`,
        ['tracer'],
        affected,
      );
    }
  }
}
